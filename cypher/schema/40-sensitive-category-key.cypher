CREATE CONSTRAINT sensitive_category_key IF NOT EXISTS FOR (c:SensitiveCategory) REQUIRE c.key IS UNIQUE
