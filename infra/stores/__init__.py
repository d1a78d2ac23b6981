"""Thin stores over DynamoDB and S3, each built from its resource name."""
