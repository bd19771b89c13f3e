"""Search over the `news` alias: the query builder behind `wirestream search`."""
