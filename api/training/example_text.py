"""Characters a training example cannot hold, named for the trainer who typed or chose it.

An example is one line of an `examples: |` block. Python's `splitlines` (which reads the
blocks back) and YAML end a line at more than LF and CR: VT, FF, the file/group/record
separators, NEL, U+2028 and U+2029. ruamel.yaml writes those as they are (NEL and U+2028 even
get the block's indentation after them), so the example would come back as two, or the file
unreadable. YAML also forbids other control characters anywhere in a file.
"""

LINE_BREAKS = {
    "\n": "un saut de ligne (U+000A)",
    "\r": "un retour chariot (U+000D)",
    "\x0b": "une tabulation verticale (U+000B)",
    "\x0c": "un saut de page (U+000C)",
    "\x1c": "un séparateur de fichier (U+001C)",
    "\x1d": "un séparateur de groupe (U+001D)",
    "\x1e": "un séparateur d'enregistrement (U+001E)",
    "\x85": "un passage à la ligne NEL (U+0085)",
    "\u2028": "un séparateur de ligne (U+2028)",
    "\u2029": "un séparateur de paragraphe (U+2029)",
}


def _unprintable(char: str) -> bool:
    """Outside YAML's printable set (tab and the line breaks aside, handled above)."""
    code = ord(char)
    return (
        (code < 0x20 and char != "\t")
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
    )


def problem(text: str) -> str | None:
    """Why `text` cannot be one example line, in French; None when it can."""
    for char in text:
        if char in LINE_BREAKS:
            return (
                f"Un exemple tient sur une seule ligne\u00a0: ce texte contient "
                f"{LINE_BREAKS[char]}, que Rasa lirait comme une fin de ligne. "
                "Remplacez ce caractère par une espace."
            )
        if _unprintable(char):
            return (
                f"Ce texte contient un caractère de contrôle invisible (U+{ord(char):04X}) "
                "qu'un fichier de données de Rasa ne peut pas contenir\u00a0: retirez-le."
            )
    return None
