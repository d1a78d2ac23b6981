"""Publishes lifecycle events (events/lifecycle.py) on the project's EventBridge bus."""

from events.lifecycle import LifecycleEvent
from infra.aws import client

SOURCE = "sjs.jobserver"


class EventPublisher:
    def __init__(self, bus_name: str):
        self._bus = bus_name
        self._events = client("events")

    def publish(self, event: LifecycleEvent) -> None:
        entry = {
            "Source": SOURCE,
            "DetailType": event.DETAIL_TYPE,
            "Detail": event.model_dump_json(),
            "EventBusName": self._bus,
        }
        failed = self._events.put_events(Entries=[entry]).get("FailedEntryCount", 0)
        if failed:
            raise RuntimeError(f"EventBridge refused {event.DETAIL_TYPE} for the bus {self._bus}")
