"""The embedded local stack behind `make up`: a moto server, the resources of template.yaml, the API
on an HTTP port, and the schedules a deployed stack would run."""
