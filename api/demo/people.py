"""The demo's people: three policyholders (who they see, how many claims they have), the staff
accounts, and the reports already filed so that the agents' console is not empty."""

from dataclasses import dataclass

from api.accounts.models import StaffRole


@dataclass(frozen=True)
class DemoPolicyholder:
    username: str
    nir: str
    first_name: str
    last_name: str
    email: str
    claim_count: int
    # Identifiers of the providers this person sees.
    circle: tuple[str, ...]


DEMO_POLICYHOLDERS = (
    DemoPolicyholder(
        "assure1",
        "2850369123045",
        "Camille",
        "Bernard",
        "camille.bernard@example.fr",
        28,
        (
            "10003456781",
            "10005678903",
            "690001234",
            "690003456",
            "690004567",
            "10007890125",
            "690005678",
            "10009012347",
            "690006789",
        ),
    ),
    DemoPolicyholder(
        "assure2",
        "1780169388012",
        "Julien",
        "Moreau",
        "julien.moreau@example.fr",
        34,
        (
            "10004567892",
            "10006789014",
            "690002345",
            "10007890125",
            "10008901236",
            "690003456",
            "690007890",
            "690008901",
            "690005678",
        ),
    ),
    DemoPolicyholder(
        "assure3",
        "2920438185107",
        "Fatima",
        "Haddad",
        "fatima.haddad@example.fr",
        19,
        (
            "10003456781",
            "10005678903",
            "690001234",
            "10008901236",
            "690006789",
            "690004567",
            "690008901",
            "10009012347",
        ),
    ),
)

DEMO_STAFF = (
    ("agent", "Agnès Fontaine", StaffRole.AGENT),
    ("formateur", "Thomas Girard", StaffRole.TRAINER),
    ("admin", "Nicolas Lambert", StaffRole.ADMIN),
)


# Reports already filed, so that the agents' console is not empty after `make run`
# (assure3 has none: the assistant's follow-up then answers that there is no report yet).
DEMO_REPORTS = {
    "assure1": ("HBLD036", "Dr Dupont", "billed_more_than_performed",
                "On m'a facturé une couronne alors que je n'ai eu qu'un détartrage."),
    "assure2": ("AMK", "Julien Lefèvre", "billed_twice",
                "La même séance de kiné apparaît deux fois le même jour."),
}  # fmt: skip
