-- Schema of the contract-life database: a DuckDB file (settings.saisie_db_path(), default data/saisie.duckdb)
-- or a PostgreSQL database (OBSERVATOIRE_SAISIE_URL). What users typed or imported for their contract: never
-- rebuilt, never touched by `loaders build`. Documented in docs/CONTRAT.md. Every statement is idempotent (run
-- by contract.store when meta.schema_version differs from store.SCHEMA_VERSION).
-- One file for both engines: only SQL both accept (DOUBLE PRECISION, not DOUBLE); the tail after the
-- « PostgreSQL only » marker (indexes for national volumes) is skipped on DuckDB (contract.backend.schema_sql).
--
-- Conventions, on every table:
--   id           BIGINT primary key from a sequence (link tables reference it as <table>_id)
--   contrat_code the contract the row belongs to (territory.code of the warehouse, e.g. 'CN00604I')
--   is_demo      TRUE for rows made by contract.demo: shown with « Données de démonstration »
--   row_version  incremented by every update: optimistic concurrency (contract.store.ConflictError)
--   created_at/created_by/updated_at/updated_by: who touched the row last (details in `audit`)
-- No FOREIGN KEY constraints (DuckDB rewrites updated rows, which FK indexes handle badly): integrity is
-- enforced by contract.store, inside the edit's transaction.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE SEQUENCE IF NOT EXISTS seq_id START 1;   -- one sequence for all tables: ids are unique database-wide

-- The contracts present in this database, with their quartiers copied from the warehouse at import time
-- (so that the saisie database stays readable when the warehouse is being rebuilt).
CREATE TABLE IF NOT EXISTS contrat (
    contrat_code VARCHAR PRIMARY KEY,
    nom          VARCHAR NOT NULL,
    porteur_code VARCHAR,              -- EPCI SIREN or commune carrying the contract
    departement  VARCHAR,
    is_demo      BOOLEAN NOT NULL DEFAULT FALSE,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR
);

CREATE TABLE IF NOT EXISTS contrat_quartier (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    quartier_code VARCHAR NOT NULL,    -- QN… (2024) code
    nom           VARCHAR NOT NULL,
    communes      VARCHAR,             -- commune names, ' ; ' separated
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, quartier_code)
);

-- Signataires of the contract (État, EPCI, communes, Département, CAF, bailleurs…).
CREATE TABLE IF NOT EXISTS signataire (
    id           BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code VARCHAR NOT NULL,
    nom          VARCHAR NOT NULL,
    type_signataire VARCHAR NOT NULL,  -- contract.vocab.SIGNATAIRE_TYPES
    is_demo      BOOLEAN NOT NULL DEFAULT FALSE,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, nom)
);

-- ---------------------------------------------------------------- programmation annuelle
CREATE TABLE IF NOT EXISTS action (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code   VARCHAR NOT NULL,
    annee          INTEGER NOT NULL,
    numero_dossier VARCHAR NOT NULL,   -- Dauphin file number or local number
    porteur_nom    VARCHAR NOT NULL,
    porteur_siret  VARCHAR,            -- 14 digits
    porteur_type   VARCHAR,            -- contract.vocab.PORTEUR_TYPES
    intitule       VARCHAR NOT NULL,
    objectif       VARCHAR,
    thematique     VARCHAR,            -- contract.vocab.THEMATIQUES (free text accepted)
    axe            VARCHAR,            -- axis/enjeu of the contract the action answers
    statut         VARCHAR NOT NULL,   -- depose | accorde | refuse | solde | abandonne
    date_depot     DATE,
    date_decision  DATE,              -- vote of the comité de programmation (or notification); NULL if not decided
    cout_total     DOUBLE PRECISION,             -- total cost of the action (€)
    montant_sollicite DOUBLE PRECISION,          -- total amount requested from the contract's financeurs (€)
    note_pertinence   INTEGER,         -- evaluation scores 1 (insuffisant) .. 4 (très satisfaisant)
    note_coherence    INTEGER,
    note_efficacite   INTEGER,
    note_efficience   INTEGER,
    note_impact       INTEGER,
    note_participation INTEGER,        -- participation des habitants
    note_partenariat  INTEGER,
    evaluation     VARCHAR,            -- free-text evaluation note
    import_id      BIGINT,             -- import_log.id when the row came from a file
    is_demo        BOOLEAN NOT NULL DEFAULT FALSE,
    row_version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, annee, numero_dossier)
);

CREATE TABLE IF NOT EXISTS action_quartier (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    action_id     BIGINT NOT NULL,
    quartier_code VARCHAR NOT NULL,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (action_id, quartier_code)
);

-- Amounts requested and granted per financeur (contract.vocab.FINANCEURS: etat_p147, epci, commune, …).
CREATE TABLE IF NOT EXISTS action_financement (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    action_id     BIGINT NOT NULL,
    financeur     VARCHAR NOT NULL,
    montant_sollicite DOUBLE PRECISION,
    montant_accorde   DOUBLE PRECISION,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (action_id, financeur)
);

-- Beneficiaries, planned ('prevu') or actual ('realise'), as cells of a sex × age table where '*' means
-- "all": ('*','*') total; ('F','*') girls/women; ('*','12-15') an age band; ('F','12-15') a crossed cell.
CREATE TABLE IF NOT EXISTS action_beneficiaire (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    action_id     BIGINT NOT NULL,
    phase         VARCHAR NOT NULL,    -- prevu | realise
    sexe          VARCHAR NOT NULL,    -- F | M | *
    tranche_age   VARCHAR NOT NULL,    -- contract.vocab.TRANCHES_AGE codes | *
    n             INTEGER NOT NULL,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (action_id, phase, sexe, tranche_age)
);

-- ---------------------------------------------------------------- engagements des signataires
CREATE TABLE IF NOT EXISTS engagement (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    code          VARCHAR NOT NULL,    -- stable reference within the contract ('ENG-012')
    signataire_id BIGINT NOT NULL,
    referent      VARCHAR,             -- person in charge at the signataire (name or function)
    axe           VARCHAR,
    objectif      VARCHAR,
    intitule      VARCHAR NOT NULL,    -- the commitment text
    indicateur    VARCHAR,             -- linked indicator (label or ref_indicateur code)
    valeur_reference DOUBLE PRECISION,
    valeur_cible  DOUBLE PRECISION,
    echeance      DATE,
    statut        VARCHAR NOT NULL,    -- prevu | en_cours | realise | abandonne | en_retard
    preuve        VARCHAR,             -- evidence (document, link, figure)
    import_id     BIGINT,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, code)
);

-- Review history ("points d'étape"): one row per review of a commitment, in COPIL/COTECH or otherwise.
CREATE TABLE IF NOT EXISTS engagement_point (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    engagement_id BIGINT NOT NULL,
    date_point    DATE NOT NULL,
    statut        VARCHAR NOT NULL,    -- status of the commitment at that date
    valeur_constatee DOUBLE PRECISION,           -- value of the linked indicator at that date, if any
    commentaire   VARCHAR,
    instance      VARCHAR,             -- COPIL | COTECH | bilatéral | …
    auteur        VARCHAR,
    import_id     BIGINT,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR
);

-- ---------------------------------------------------------------- enquêtes habitants
CREATE TABLE IF NOT EXISTS enquete (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    titre         VARCHAR NOT NULL,
    methode       VARCHAR,             -- how answers were collected (porte-à-porte, en ligne…)
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, titre)
);

CREATE TABLE IF NOT EXISTS enquete_vague (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    enquete_id    BIGINT NOT NULL,
    numero        INTEGER NOT NULL,
    libelle       VARCHAR NOT NULL,
    date_debut    DATE,
    date_fin      DATE,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (enquete_id, numero)
);

-- Answer scales and their ordered options; `favorable` options make the "share favourable",
-- `exclue` options (ne sait pas, sans avis) are left out of the denominator.
CREATE TABLE IF NOT EXISTS echelle (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    enquete_id    BIGINT NOT NULL,
    code          VARCHAR NOT NULL,    -- accord4 | satisfaction4 | oui_non | evolution3 | …
    libelle       VARCHAR NOT NULL,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (enquete_id, code)
);

CREATE TABLE IF NOT EXISTS echelle_modalite (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    echelle_id    BIGINT NOT NULL,
    ordre         INTEGER NOT NULL,
    libelle       VARCHAR NOT NULL,
    favorable     BOOLEAN NOT NULL DEFAULT FALSE,
    exclue        BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (echelle_id, libelle)
);

CREATE TABLE IF NOT EXISTS question (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    enquete_id    BIGINT NOT NULL,
    code          VARCHAR NOT NULL,    -- 'Q1', …
    libelle       VARCHAR NOT NULL,
    theme         VARCHAR,
    echelle_id    BIGINT NOT NULL,
    ordre         INTEGER NOT NULL,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (enquete_id, code)
);

-- One row per respondent: a pseudonym (salted hash of the file's identifier, or a random one), the
-- quartier, the date and the wave. No name, no address, no contact: RGPD minimisation.
CREATE TABLE IF NOT EXISTS repondant (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    enquete_id    BIGINT NOT NULL,
    vague_id      BIGINT NOT NULL,
    pseudo        VARCHAR NOT NULL,
    quartier_code VARCHAR NOT NULL,
    date_reponse  DATE,
    import_id     BIGINT,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (vague_id, pseudo)
);

CREATE TABLE IF NOT EXISTS reponse (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    repondant_id  BIGINT NOT NULL,
    question_id   BIGINT NOT NULL,
    modalite_id   BIGINT NOT NULL,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (repondant_id, question_id)
);

-- Free-text answers; only those with publiable = TRUE are ever displayed or exported.
CREATE TABLE IF NOT EXISTS verbatim (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    enquete_id    BIGINT NOT NULL,
    vague_id      BIGINT NOT NULL,
    repondant_id  BIGINT,
    quartier_code VARCHAR NOT NULL,
    question_id   BIGINT,
    texte         VARCHAR NOT NULL,
    publiable     BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR
);

-- ---------------------------------------------------------------- référentiel d'évaluation
-- Tree: enjeu -> objectif_strategique -> objectif_operationnel (parent_id NULL for enjeux).
CREATE TABLE IF NOT EXISTS ref_noeud (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    parent_id     BIGINT,
    niveau        VARCHAR NOT NULL,    -- enjeu | objectif_strategique | objectif_operationnel
    code          VARCHAR NOT NULL,    -- 'E1', 'E1.2', 'E1.2.3'
    libelle       VARCHAR NOT NULL,
    ordre         INTEGER NOT NULL DEFAULT 0,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, code)
);

-- Actions and commitments answering an operational objective (exactly one of action_id/engagement_id).
CREATE TABLE IF NOT EXISTS ref_lien (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    noeud_id      BIGINT NOT NULL,
    action_id     BIGINT,
    engagement_id BIGINT,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR
);

-- Indicators of the référentiel: a catalogue indicator (catalogue_id + territoire_code: the current value
-- is read from the warehouse) or a local one (valeur_actuelle typed by the team).
CREATE TABLE IF NOT EXISTS ref_indicateur (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    noeud_id      BIGINT NOT NULL,
    code          VARCHAR NOT NULL,
    catalogue_id  VARCHAR,             -- indicator_catalog.indicator_id, NULL for a local indicator
    territoire_code VARCHAR,           -- territory the catalogue value is read for
    libelle       VARCHAR NOT NULL,
    unite         VARCHAR,
    source        VARCHAR,             -- who produces the figure (INSEE, enquête habitants, bailleur…)
    responsable   VARCHAR,             -- who fills it in (owner)
    frequence     VARCHAR,             -- annuelle | biennale | …
    valeur_reference DOUBLE PRECISION,
    annee_reference  INTEGER,
    valeur_cible  DOUBLE PRECISION,
    annee_cible   INTEGER,
    valeur_actuelle DOUBLE PRECISION,
    date_actuelle DATE,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code, code)
);

-- ---------------------------------------------------------------- traceability
CREATE TABLE IF NOT EXISTS import_log (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,    -- programmation | engagements | enquete
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    rows          INTEGER NOT NULL,
    options       VARCHAR,             -- JSON of the options used (column mapping, sheet…)
    imported_at   TIMESTAMP NOT NULL,
    imported_by   VARCHAR NOT NULL,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE
);

-- Every change, one row per changed column for updates, one per row for inserts/deletes (new/old value
-- is then the JSON of the row). edit_id groups the rows of one transaction.
CREATE TABLE IF NOT EXISTS audit (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    edit_id       VARCHAR NOT NULL,
    contrat_code  VARCHAR NOT NULL,
    changed_at    TIMESTAMP NOT NULL,
    who           VARCHAR NOT NULL,
    op            VARCHAR NOT NULL,    -- insert | update | delete | import | demo
    table_name    VARCHAR NOT NULL,
    row_id        BIGINT,
    column_name   VARCHAR,
    old_value     VARCHAR,
    new_value     VARCHAR,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE
);

-- ---------------------------------------------------------------- accounts (contract.accounts)
-- Accounts span contracts: these tables have no contrat_code/is_demo. Roles: catalogue/vocabulary.yaml `roles`.
CREATE TABLE IF NOT EXISTS users (
    login         VARCHAR PRIMARY KEY,
    nom           VARCHAR NOT NULL DEFAULT '',
    role          VARCHAR NOT NULL,    -- administrateur | chef_de_projet | partenaire | elu
    signataire    VARCHAR,             -- partenaire: its signataire's name (signataire.nom in its contracts)
    password_hash VARCHAR NOT NULL,    -- $argon2id$… (contract.roles.hash_password; scrypt$… before v5); '' = SSO only
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    password_set_at TIMESTAMP,
    last_login_at TIMESTAMP,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR
);

-- The contracts of an account ('*' = every contract).
CREATE TABLE IF NOT EXISTS user_contract (
    login        VARCHAR NOT NULL,
    contrat_code VARCHAR NOT NULL,
    PRIMARY KEY (login, contrat_code)
);

-- Failed logins (schema version 5), counted per login AND client so that nobody can lock someone else out:
-- `client` is the SHA-256 of a browser's id cookie that already signed in successfully as this login
-- (trusted_client), or '*' for every other client (unknown browsers, the command line). Five failures in a
-- quarter of an hour lock that bucket only: an attacker guessing from unknown browsers locks '*', while the
-- account's own browsers keep their own count. Stored, so the lock holds across replicas and restarts.
DROP TABLE IF EXISTS login_failure;                                       -- version 3-4: one count per login
CREATE TABLE IF NOT EXISTS login_lock (
    login           VARCHAR NOT NULL,
    client          VARCHAR NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP,
    PRIMARY KEY (login, client)
);

-- Browsers (SHA-256 of their id cookie) that signed in successfully as a login: their failures are counted
-- apart from unknown browsers' (login_lock).
CREATE TABLE IF NOT EXISTS trusted_client (
    login         VARCHAR NOT NULL,
    client        VARCHAR NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (login, client)
);

-- Open sessions. Only the SHA-256 of the token is stored: a copy of the database opens no session.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash   VARCHAR PRIMARY KEY,
    login        VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS via VARCHAR;        -- schema version 5: 'mot_de_passe' | 'sso:<provider>'

-- One-time codes (schema version 5) that turn a session opened in a page into the browser's HttpOnly session
-- cookie (ui/server.py, route /_session/ouvrir): valid a minute, bound to the browser's id cookie, used once.
CREATE TABLE IF NOT EXISTS session_grant (
    code_hash    VARCHAR PRIMARY KEY,
    session_hash VARCHAR NOT NULL,      -- the session opened in the page, replaced by the cookie's own
    client       VARCHAR NOT NULL,      -- SHA-256 of the browser id cookie that asked for it
    expires_at   TIMESTAMP NOT NULL
);

-- Single sign-on identities (schema version 5) already turned into a session: an OpenID Connect identity
-- (issuer, subject, time of issue, nonce) opens one session only, so a tab still holding it after a logout
-- does not sign in again by itself.
CREATE TABLE IF NOT EXISTS sso_proof (
    proof_hash VARCHAR PRIMARY KEY,
    login      VARCHAR NOT NULL,
    used_at    TIMESTAMP NOT NULL
);

-- E-mail of an account (schema version 5, lowercase): the identity a single sign-on provider (ProConnect)
-- asserts. An account with an e-mail and an empty password_hash signs in only through the provider.
ALTER TABLE users ADD COLUMN IF NOT EXISTS email VARCHAR;

-- ---------------------------------------------------------------- where beneficiaries live (issue 15, schema version 4)
-- Aggregates of a beneficiaries file (one row per beneficiary with the action's dossier number, coordinates
-- or BAN geocoder output) located on the warehouse's quartier contours by indicators.localiser: per action,
-- how many beneficiaries live in each 2024 quartier (lieu = its QN… code), in none ('non'), where the
-- contours cannot tell ('indeterminee') or could not be located ('non_geolocalisee') — codes of the
-- vocabulary qpv_answers. Counts only: names, addresses and coordinates are never stored (RGPD).
CREATE TABLE IF NOT EXISTS action_residence (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    action_id     BIGINT NOT NULL,
    lieu          VARCHAR NOT NULL,
    n             INTEGER NOT NULL,
    import_id     BIGINT,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (action_id, lieu)
);

-- ---------------------------------------------------------------- public site (issue 22, schema version 5)
-- What the contract chooses to publish on the static public site (`python -m exports site`): nothing typed in
-- this database is published unless its contract says so here. One row per contract (no row = nothing
-- published): `engagements` publishes the progress of the signataires' commitments (counts per status, not
-- their texts); `verbatims` publishes the survey verbatims that are themselves flagged `publiable`. Démo rows
-- are never published, whatever these switches say. Set with `python -m contract.publication`.
CREATE TABLE IF NOT EXISTS publication (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_id'),
    contrat_code  VARCHAR NOT NULL,
    engagements   BOOLEAN NOT NULL DEFAULT FALSE,
    verbatims     BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    row_version   INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP, created_by VARCHAR, updated_at TIMESTAMP, updated_by VARCHAR,
    UNIQUE (contrat_code)
);

-- ---------------------------------------------------------------- migrations of existing databases
-- A database created by an older version lacks the columns added since: add them (idempotent; rows kept).
-- contract.store runs this file whenever meta.schema_version differs from store.SCHEMA_VERSION.
ALTER TABLE action ADD COLUMN IF NOT EXISTS date_decision DATE;          -- schema version 2
-- (schema version 3: the account tables above; version 4: action_residence above; version 5: publication
-- above — each created by its CREATE TABLE IF NOT EXISTS)

-- ==== PostgreSQL only: indexes for national volumes (448 contracts). DuckDB scans its columns and does
-- not need them (and its indexes slow updates down), so contract.backend.schema_sql() stops here for DuckDB.
CREATE INDEX IF NOT EXISTS engagement_signataire_idx ON engagement (signataire_id);
CREATE INDEX IF NOT EXISTS engagement_point_engagement_idx ON engagement_point (engagement_id);
CREATE INDEX IF NOT EXISTS engagement_point_contrat_idx ON engagement_point (contrat_code, date_point);
CREATE INDEX IF NOT EXISTS action_quartier_contrat_idx ON action_quartier (contrat_code, quartier_code);
CREATE INDEX IF NOT EXISTS repondant_enquete_idx ON repondant (enquete_id);
CREATE INDEX IF NOT EXISTS verbatim_enquete_idx ON verbatim (enquete_id);
CREATE INDEX IF NOT EXISTS ref_lien_noeud_idx ON ref_lien (noeud_id);
CREATE INDEX IF NOT EXISTS ref_lien_contrat_idx ON ref_lien (contrat_code);
CREATE INDEX IF NOT EXISTS ref_indicateur_noeud_idx ON ref_indicateur (noeud_id);
CREATE INDEX IF NOT EXISTS import_log_contrat_idx ON import_log (contrat_code);
CREATE INDEX IF NOT EXISTS audit_contrat_idx ON audit (contrat_code, changed_at);
CREATE INDEX IF NOT EXISTS sessions_login_idx ON sessions (login);
