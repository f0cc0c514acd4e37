"""Agreement with GitHub's published GraphQL schema and REST description."""
