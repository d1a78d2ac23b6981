"""Example jobs written against sparkjobserver.api, and the builder of their package."""
