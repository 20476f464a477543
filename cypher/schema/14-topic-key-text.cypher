CREATE TEXT INDEX topic_name_text IF NOT EXISTS FOR (t:Topic) ON (t.key)
