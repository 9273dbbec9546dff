CREATE TABLE admin_login_failures (
	id INTEGER NOT NULL, 
	client_key VARCHAR(64) NOT NULL, 
	label VARCHAR(64), 
	at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_admin_login_failures_at ON admin_login_failures (at);

CREATE INDEX ix_admin_login_failures_client_key ON admin_login_failures (client_key);

CREATE INDEX ix_admin_login_failures_label ON admin_login_failures (label);

CREATE TABLE admin_sessions (
	id_hash VARCHAR(64) NOT NULL, 
	label VARCHAR(64) NOT NULL, 
	token_fingerprint VARCHAR(64) NOT NULL, 
	csrf VARCHAR(64) NOT NULL, 
	created_at FLOAT NOT NULL, 
	last_seen_at FLOAT NOT NULL, 
	PRIMARY KEY (id_hash)
);

CREATE TABLE catalog_versions (
	id INTEGER NOT NULL, 
	locale VARCHAR(16) NOT NULL, 
	po TEXT NOT NULL, 
	label VARCHAR(64) NOT NULL, 
	note VARCHAR(200) NOT NULL, 
	translated INTEGER NOT NULL, 
	fuzzy INTEGER NOT NULL, 
	missing INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	restores INTEGER, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_catalog_versions_locale ON catalog_versions (locale);

CREATE TABLE records (
	id INTEGER NOT NULL, 
	message_sid VARCHAR(64) NOT NULL, 
	sender_key VARCHAR(64) NOT NULL, 
	program VARCHAR(64) NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	intent VARCHAR(16) NOT NULL, 
	topic VARCHAR(32), 
	locale VARCHAR(16) NOT NULL, 
	segments INTEGER NOT NULL, 
	encoding VARCHAR(8) NOT NULL, 
	replied BOOLEAN NOT NULL, 
	rate_limited BOOLEAN NOT NULL, 
	simulated BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (message_sid)
);

CREATE INDEX ix_records_created_at ON records (created_at);

CREATE TABLE subscribers (
	"key" VARCHAR(64) NOT NULL, 
	locale VARCHAR(16), 
	opted_out BOOLEAN NOT NULL, 
	opted_changed_at FLOAT, 
	window_start FLOAT NOT NULL, 
	window_count INTEGER NOT NULL, 
	hour_start FLOAT NOT NULL, 
	hour_count INTEGER NOT NULL, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY ("key")
);
