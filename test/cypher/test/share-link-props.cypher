// Test only: everything stored on a share link (a test checks the token itself is not among it).
MATCH (l:ShareLink {id: $id})
RETURN properties(l) AS props
