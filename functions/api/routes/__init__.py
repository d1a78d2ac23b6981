"""One Powertools Router per resource; app.py mounts them under their prefixes."""
