"""Doctor handoff logic that is not web-specific: Jitsi rooms and tokens, slots and routing,
calendar invitations, reminders, ICD-10 search, API tokens and the PDF prescription."""
