"""A deploy that does nothing: the floor under every pyinfra run on the same host and connector."""
