"""The Textual dashboard: parcels, their timelines, anomalies, claims and carriers.

It reads the event store and never talks to carriers itself; a *feed* (the poller, or the
demo) runs as a worker inside the app and tells it when the store changed."""
