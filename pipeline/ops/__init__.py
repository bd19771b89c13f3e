"""Operations: reindex, Kibana saved objects, topic administration and reading."""
