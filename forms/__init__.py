"""The form engine: XLSForm to XForm, the XForm reader, the ODK XPath evaluator.

Pure Python: no UI, no HTTP, no SQLite. Imports nothing else of ours.
"""

from forms.errors import FormError

__all__ = ["FormError"]
