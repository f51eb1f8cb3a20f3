"""What each of the assistant's intents means, in the words of the people who use them.

Trainers read these labels and definitions in their workbench, people who write training or
test examples are briefed with them, and `tests/contract` checks that they name exactly the
intents of `domain.yml`. The identifiers stay the domain's; the French is for people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    name: str
    label: str
    definition: str


INTENTS: tuple[Intent, ...] = (
    Intent(
        "report_suspicious_reimbursement",
        "Signaler un remboursement suspect",
        "La personne dit qu'un paiement de l'Assurance Maladie à son nom ne correspond pas à ce "
        "qu'elle a reçu : soin jamais fait, acte facturé plus cher que celui reçu, séance "
        "comptée deux fois, professionnel inconnu, quelqu'un qui se sert de sa carte Vitale "
        "ou de son numéro pour se faire rembourser des soins.",
    ),
    Intent(
        "inform",
        "Répondre à une question du signalement",
        "Une réponse à ce que l'assistant vient de demander pendant un signalement : le nom du "
        "professionnel, une date, un numéro de ligne, une précision.",
    ),
    Intent("affirm", "Dire oui", "Accord, confirmation : « oui », « c'est ça », « d'accord »."),
    Intent("deny", "Dire non", "Refus, désaccord : « non », « pas celui-là », « aucun »."),
    Intent(
        "cancel",
        "Abandonner",
        "La personne veut arrêter ce qui est en cours, le plus souvent le signalement.",
    ),
    Intent("greet", "Saluer", "Bonjour, bonsoir, salut."),
    Intent("goodbye", "Prendre congé", "Au revoir, bonne journée, à plus tard."),
    Intent("thank", "Remercier", "Merci, c'est gentil."),
    Intent(
        "bot_challenge",
        "Demander si c'est un robot",
        "La personne demande si elle parle à une machine ou à une personne.",
    ),
    Intent(
        "ask_human",
        "Demander un conseiller",
        "Parler à une personne, un numéro de téléphone, une agence.",
    ),
    Intent(
        "out_of_scope",
        "Hors sujet",
        "Tout ce qui ne concerne ni les paiements, ni les signalements, ni les courriels de "
        "l'Assurance Maladie : météo, blagues, autres services, texte sans sens.",
    ),
    Intent(
        "ask_phishing",
        "Demander si un courriel est une arnaque",
        "La personne se demande si un courriel ou un SMS reçu au nom de l'Assurance Maladie est "
        "authentique ou une tentative d'escroquerie.",
    ),
    Intent(
        "ask_email_content",
        "Demander ce que dit le courriel",
        "Ce que signifie le courriel « Information de paiement », pourquoi il ne donne ni montant "
        "ni nature des soins.",
    ),
    Intent(
        "ask_why_now",
        "Demander pourquoi ces courriels",
        "Pourquoi l'Assurance Maladie envoie ces courriels, depuis quand, dans quel but.",
    ),
    Intent(
        "ask_how_to_check",
        "Demander comment vérifier ses paiements",
        "Où et comment voir le détail de ses remboursements dans son compte.",
    ),
    Intent(
        "ask_report_status",
        "Demander où en est un signalement",
        "La suite donnée à un signalement déjà envoyé, son suivi, les délais de traitement.",
    ),
    Intent(
        "ask_reimbursement_delay",
        "Attendre un remboursement",
        "Un remboursement attendu qui n'est pas encore arrivé, ou une demande d'être remboursé "
        "d'une dépense : la personne veut de l'argent, elle ne signale pas une fraude.",
    ),
    Intent(
        "complain_low_reimbursement",
        "Trouver un remboursement trop faible",
        "Le montant remboursé paraît trop bas, le taux ou le reste à charge surprend, pour un "
        "soin que la personne a bien reçu.",
    ),
    Intent(
        "other_procedure",
        "Autre démarche",
        "Une démarche qui n'est pas un signalement de paiement : carte Vitale perdue ou volée "
        "(sans paiement en cause), changement d'adresse ou de situation, arrêt de travail, "
        "naissance, attestation.",
    ),
    Intent(
        "share_sensitive_data",
        "Donner une donnée secrète",
        "La personne écrit un mot de passe, un IBAN, un numéro de carte bancaire ou de sécurité "
        "sociale (le canal les masque avant que l'assistant les lise).",
    ),
)

BY_NAME: dict[str, Intent] = {intent.name: intent for intent in INTENTS}


# Questions the assistant answers in a sentence, even in the same message as a report
# (bot.components.reading), and the answer it gives before going on (actions.report_form).
QUESTIONS_ANSWERED_BESIDE: dict[str, str] = {
    "ask_phishing": "utter_faq_phishing",
    "ask_email_content": "utter_faq_email_content",
    "ask_why_now": "utter_faq_why_now",
    "ask_how_to_check": "utter_faq_how_to_check",
    "ask_human": "utter_ask_human",
    "bot_challenge": "utter_iamabot",
}
