MATCH (u:User {id: $userId})
RETURN [coalesce(u.consentSegmentation, true), coalesce(u.consentPersonalization, true), coalesce(u.consentMarketing, true)] AS stated
