"""Provider clients: HTTP only, typed records, a typed error tree, no Django imports."""
