MATCH (u:User) WHERE u.affinity IS NOT NULL RETURN count(u) AS n
