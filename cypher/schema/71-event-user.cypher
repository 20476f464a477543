CREATE INDEX event_user IF NOT EXISTS FOR (e:Event) ON (e.userId)
