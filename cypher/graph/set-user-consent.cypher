MATCH (u:User {id: $userId})
SET u.consentSegmentation = $segmentation, u.updatedAt = datetime()
RETURN u.id AS id
