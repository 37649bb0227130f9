"""The pages of “老兵本色” points: entries (``entries``), the catalog, a veteran's ledger, the rankings, rewards."""
