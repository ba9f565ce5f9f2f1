"""The only thing views call: cached provider reads and the business rules on top of them."""
