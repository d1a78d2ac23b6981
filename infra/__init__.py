"""Everything about AWS resources: settings, the stores both sides use, context-host launchers and
the embedded local stack."""
