"""The contract between the API functions, the context hosts and users: states, queue messages and
bus events. Nothing else in the project defines a wire format."""
