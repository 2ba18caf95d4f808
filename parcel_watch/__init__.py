"""parcel-watch: shipment tracking and logistics-claims monitor."""

__version__ = "0.1.0"
