"""Upstream calls per page, cold and warm (filled in once the sandbox counts requests)."""


def run(sizes: list[int]) -> None:
    print("  (needs the sandbox)")
