"""Translation marker for user-visible text below the UI (widgets use self.tr()).

`_("text")` marks a string for extraction; catalogues in resources/translations are loaded
when they exist, and the English text is used otherwise.
"""

import gettext

_translation: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    return _translation.gettext(message)
