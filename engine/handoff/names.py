"""How a doctor is named to patients and on the prescription: "Dr <name>", once.

Names are typed by admins in any script, sometimes with the title already in it ("Dr. Meera",
"डॉ. मीरा", "ਡਾ. ਗੁਰਪ੍ਰੀਤ"); adding "Dr " to those printed "Dr ਡਾ. ਗੁਰਪ੍ਰੀਤ".
"""

from __future__ import annotations

import re

#: a title at the start of the name, in Latin, Devanagari or Gurmukhi (with or without a dot)
_TITLE = re.compile(r"^(dr|doctor|डॉ|डा|डॉक्टर|ਡਾ|ਡਾਕਟਰ)(\.|\s)", re.IGNORECASE)


def doctor_title(name: str) -> str:
    """'Dr Meera Sharma' for 'Meera Sharma'; a name that already carries a title is kept as typed."""
    name = " ".join((name or "").split())
    if not name:
        return "Dr"
    return name if _TITLE.match(name) else f"Dr {name}"
