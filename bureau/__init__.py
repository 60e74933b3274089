"""Bureau staff (商务局 / 农业农村局): read-only reports scoped to the city or one county."""
