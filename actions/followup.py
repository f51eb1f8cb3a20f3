"""« Où en est mon signalement ? »: the status of the policyholder's latest reports."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, NotAuthenticated, Rejected, get_api
from actions.conversation import caller


class ActionReportStatus(Action):
    def name(self) -> str:
        return "action_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        who = caller(tracker)
        if who is None:
            dispatcher.utter_message(response="utter_login_required")
            return []
        try:
            reports = await get_api().list_reports(who, limit=5)
        except (ApiUnavailable, Rejected):
            dispatcher.utter_message(response="utter_report_status_unavailable")
            return []
        except NotAuthenticated:
            dispatcher.utter_message(response="utter_session_expired")
            return []
        if not reports:
            dispatcher.utter_message(response="utter_report_status_none")
            return []
        lines = []
        for report in reports:
            filed = datetime.fromisoformat(report["created_at"].replace("Z", "+00:00"))
            lines.append(
                f"- {report['reference']} du {filed:%d/%m/%Y} ({report['provider_name']})\u00a0: "
                f"{report['status_label']}"
            )
        dispatcher.utter_message(response="utter_report_status_list", reports="\n".join(lines))
        return []
