"""The sandbox carrier: a real aiohttp server speaking each supported API's wire format,
driven by generated journeys, for demos and tests without accounts."""
