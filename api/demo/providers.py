"""The demo's providers: a realistic mix of professionals and establishments around Lyon."""

from api.claims.catalogue import ProviderKind as K

# (identifier, name, kind, city): RPPS numbers have 11 digits, FINESS numbers 9.
DEMO_PROVIDERS: tuple[tuple[str, str, K, str], ...] = (
    ("10003456781", "Dr Sophie Martin", K.GENERAL_PRACTITIONER, "Lyon"),
    ("10004567892", "Dr Karim Benali", K.GENERAL_PRACTITIONER, "Villeurbanne"),
    ("10005678903", "Dr Paul Dupont", K.DENTIST, "Lyon"),
    ("10006789014", "Dr Hélène Garnier", K.DENTIST, "Vénissieux"),
    ("10007890125", "Julien Lefèvre", K.PHYSIOTHERAPIST, "Lyon"),
    ("10008901236", "Nadia Chaouch", K.NURSE, "Villeurbanne"),
    ("10009012347", "Dr Élodie Perrin", K.SPECIALIST, "Lyon"),
    ("690001234", "Pharmacie du Centre", K.PHARMACY, "Lyon"),
    ("690002345", "Pharmacie des Écoles", K.PHARMACY, "Villeurbanne"),
    ("690003456", "Laboratoire Biomed Saint-Jean", K.LABORATORY, "Lyon"),
    ("690004567", "Centre d'imagerie Pasteur", K.RADIOLOGY, "Lyon"),
    ("690005678", "Optique Lumière", K.OPTICIAN, "Lyon"),
    ("690006789", "Ambulances Rhône Secours", K.MEDICAL_TRANSPORT, "Vénissieux"),
    ("690007890", "Taxi Santé Confluence", K.MEDICAL_TRANSPORT, "Lyon"),
    ("690008901", "Centre de santé Gerland", K.HEALTH_CENTRE, "Lyon"),
)
