"""SQS queues to the context hosts and the EventBridge bus out of them."""
