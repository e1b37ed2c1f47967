"""Disease surveillance: syndromic weekly counts, outbreak detection and alerts (IDSP-style).

Plain Python (no Rasa, no Flask): ``detect`` holds the statistics that ``saathi surveillance
detect``, the portal and the officers' alerts share; ``weeks`` the ISO epi-week arithmetic;
``syndromes`` the S-form definitions and how a triage meets them; ``places`` village -> block ->
district; ``events`` the de-identified rows and the weekly aggregation; ``alerts`` clusters, officers
and notifications; ``privacy`` small-cell suppression; ``dashboard``, ``charts``, ``sform`` and
``programme`` what the portal shows; ``simulate`` a seeded background for tests, the bench and the
demo.
"""
