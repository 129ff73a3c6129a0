-- Warehouse schema (contract: pages, indicators, exports and tests rely on these names).
-- Documented in docs/SCHEMA.md. Layers: raw cells (source_value) -> curated (indicator_value).

-- Every territory the observatory knows. `code` is unique across levels:
--   qpv: QP075001 (2015) / QN07501M (2024); commune: COG '75056'; epci: SIREN '200054781';
--   departement: 'DEP' + COG ('DEP75', 'DEP2A', 'DEP971'); region: 'REG' + COG ('REG11');
--   france: 'FRM' (France métropolitaine); ensemble_qpv: 'ENSQP2015' (Ensemble des QPV, 2015 geography);
--   contrat_de_ville: 'CV001' / 'CN00104M'.
CREATE TABLE territory (
    code        VARCHAR PRIMARY KEY,
    level       VARCHAR NOT NULL CHECK (level IN ({{levels}})),  -- catalogue/vocabulary.yaml `levels`
    name        VARCHAR NOT NULL,
    generation  VARCHAR,               -- '2015' | '2024' | '2015/2024' (contracts kept across generations) | NULL
    cog_code    VARCHAR,               -- official code as published ('75', '11', '75056', SIREN, 'QP075001')
    departement VARCHAR,               -- COG département code ('13', '2A', '971'), when meaningful
    region      VARCHAR,               -- COG région code
    population  BIGINT,                -- latest known municipal population (source in population_source)
    population_source VARCHAR,
    is_demo     BOOLEAN DEFAULT FALSE
);

-- Hierarchy and correspondences. relation values:
--   qpv_commune, commune_epci, commune_departement, epci_departement, departement_region,
--   qpv_contrat, contrat_epci (carrier of the contract: EPCI or commune), qp2015_qpv2024 (crosswalk)
CREATE TABLE territory_link (
    child_code  VARCHAR NOT NULL,
    parent_code VARCHAR NOT NULL,
    relation    VARCHAR NOT NULL,
    confidence  DOUBLE,               -- 1.0 exact; < 1 fuzzy (name similarity, crosswalk)
    method      VARCHAR,              -- how the link was made ('cog', 'name_exact', 'name_normalised', 'crosswalk_commune_name', ...)
    source_file VARCHAR,
    PRIMARY KEY (child_code, parent_code, relation)
);

-- Everything that could not be linked, or was linked with doubt: never guessed silently.
CREATE TABLE link_report (
    code        VARCHAR NOT NULL,      -- the child that was being linked
    relation    VARCHAR NOT NULL,
    status      VARCHAR NOT NULL CHECK (status IN ({{link_statuses}})),  -- unmatched | ambiguous | fuzzy | resolved | note
    detail      VARCHAR,               -- the name tried, the candidates, the reason
    source_file VARCHAR
);

-- Every cell of every SIG Ville / Filosofi file, traceable to file and column.
CREATE TABLE source_value (
    source_file     VARCHAR NOT NULL,  -- file name as published, e.g. 'REVN_2022.csv'
    source_variable VARCHAR NOT NULL,  -- original column name, e.g. 'DISP_Q2', 'DISP_MED_A19'
    territory_code  VARCHAR NOT NULL,  -- territory.code ('ENSQP2015' for the 'Ensemble' rows)
    edition         INTEGER NOT NULL,  -- edition year of the file (REVN_2022 -> 2022, data_filo19 -> 2019, FILO2019 -> 2019)
    value           DOUBLE,            -- parsed number (NULL when not numeric or not published)
    raw             VARCHAR,           -- the cell text exactly as in the file
    status          VARCHAR NOT NULL,  -- ok | secret (empty cell in a published column) | absent (variable not in this edition) | text
    line            INTEGER            -- 1-based line number in the file (header = 1)
);

-- The closed vocabularies (from catalogue/vocabulary.yaml): levels, generations, themes, value statuses,
-- lights, trends, link statuses, engagement and action statuses, means kinds, roles. `attributes` holds the
-- other declared fields as JSON (link rule of a level, shown flag of a status…).
CREATE TABLE vocabulary (
    kind        VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    short_label VARCHAR,
    sort_order  INTEGER NOT NULL,
    color       VARCHAR,
    symbol      VARCHAR,
    attributes  JSON,
    PRIMARY KEY (kind, code)
);

-- Declared sources (from catalogue/sources.yaml).
CREATE TABLE source_catalog (
    source_id   VARCHAR PRIMARY KEY,
    producer    VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    licence     VARCHAR,
    generation  VARCHAR,
    files       VARCHAR,               -- glob(s) relative to the data dir
    editions    VARCHAR,               -- comma-separated edition years
    note        VARCHAR
);

-- Curated indicators (from catalogue/indicators.yaml): declared once, read by code, UI and docs.
CREATE TABLE indicator_catalog (
    indicator_id VARCHAR PRIMARY KEY,
    label        VARCHAR NOT NULL,     -- French label
    short_label  VARCHAR,
    unit         VARCHAR NOT NULL,     -- '%', '€', 'hab.', 'nombre', 'indice', ...
    theme        VARCHAR NOT NULL,     -- demographie | revenus | emploi | caf | ...
    polarity     VARCHAR NOT NULL,     -- higher_better | higher_worse | neutral
    source       VARCHAR NOT NULL,     -- source_catalog.source_id (main source)
    definition   VARCHAR NOT NULL,     -- French definition / formula
    decimals     INTEGER DEFAULT 1,
    gap_kind     VARCHAR NOT NULL,     -- points (rates, shares) | ratio (amounts) | none
    aggregation  VARCHAR NOT NULL,     -- sum | weighted:<indicator_id of denominator> | none ("non agrégeable")
    secret_rule  VARCHAR,              -- key into catalogue secret thresholds (filosofi_menages, pole_emploi_individus, ...)
    tolerance    DOUBLE,               -- band for "comparable"/"stable" (points for rates, relative for ratios)
    barometre    BOOLEAN DEFAULT FALSE,-- key indicator shown to élus
    sort_order   INTEGER,
    edition_key  VARCHAR DEFAULT 'edition', -- edition | income_year (Filosofi: indicator_value.edition = income year)
    note         VARCHAR,              -- French caveat shown with the indicator (renamed variable, lag...)
    is_local     BOOLEAN DEFAULT FALSE -- declared by a user import (python -m loaders import indicateurs)
);

-- Which file and column gives each curated indicator in each edition.
CREATE TABLE indicator_source (
    indicator_id    VARCHAR NOT NULL,
    edition         INTEGER NOT NULL,  -- the indicator's edition key (see docs/SCHEMA.md: Filosofi income uses the income year)
    source_file     VARCHAR NOT NULL,
    source_variable VARCHAR NOT NULL,
    ref_year        INTEGER,           -- reference year of the underlying data when known (Filosofi: income year)
    level           VARCHAR,           -- territory level this mapping applies to (qpv, epci, departement, region, france)
    priority        INTEGER DEFAULT 1, -- 1 = preferred when two files give the same edition (data_filo before REVN)
    PRIMARY KEY (indicator_id, edition, source_file, source_variable)
);
-- source_variable is a column name, or a formula over columns of the same file and row:
-- 'A+B' (sum) or 'A+B/C' (share in %: 100 * (A+B) / C). See catalogue/indicators.yaml.

-- Editions where a file of the indicator's source family exists but does not carry the variable
-- (e.g. diploma of job seekers in IPRO_2019, poverty rate in the FILO*_DISP reference files).
-- indicator_value gets status 'absent' for every territory of that file.
CREATE TABLE indicator_absent (
    indicator_id VARCHAR NOT NULL,
    edition      INTEGER NOT NULL,
    source_file  VARCHAR NOT NULL,
    level        VARCHAR,
    reason       VARCHAR NOT NULL,
    PRIMARY KEY (indicator_id, edition, source_file)
);

-- Curated indicator values, harmonised across editions, for quartiers and reference territories.
CREATE TABLE indicator_value (
    territory_code  VARCHAR NOT NULL,
    indicator_id    VARCHAR NOT NULL,
    edition         INTEGER NOT NULL,
    value           DOUBLE,
    status          VARCHAR NOT NULL CHECK (status IN ({{value_statuses}})),  -- vocabulary `value_statuses`
    source_file     VARCHAR,
    source_variable VARCHAR,
    ref_year        INTEGER
    -- Unique on (territory_code, indicator_id, edition): guaranteed by the 'indicators' step, which checks it
    -- (BuildError otherwise) instead of declaring a PRIMARY KEY: building the key index of ~740,000 rows
    -- cost ~1.2 s of the 10 s build budget. User imports check existing keys before writing.
    -- Inserted sorted by territory_code (zone maps: a territory's rows are one short read).
);

-- Derived tables (step `derived`, loaders/derived.py; recomputed by every import that changes the warehouse),
-- sorted by territory_code. The values 2024 quartiers take from their 2015 predecessor(s) (crosswalk):
CREATE TABLE approx_value (
    territory_code  VARCHAR NOT NULL,      -- a 2024 quartier (QN…) without its own value for the key
    indicator_id    VARCHAR NOT NULL,
    edition         INTEGER NOT NULL,
    value           DOUBLE,
    status          VARCHAR NOT NULL CHECK (status IN ({{value_statuses}})),
    source_file     VARCHAR,
    source_variable VARCHAR,
    ref_year        INTEGER,
    approx_method   VARCHAR NOT NULL CHECK (approx_method IN ({{approximations}})),
    predecessors    VARCHAR[] NOT NULL     -- the 2015 quartiers whose values were used
);

-- The view contract_means stored (its one counting rule computed once per build, read by contract).
CREATE TABLE contract_means_stored (
    contrat_code VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    kind         VARCHAR NOT NULL,
    n_posts      BIGINT NOT NULL,
    amount       DOUBLE,
    n_records    BIGINT NOT NULL,
    source_file  VARCHAR
);

-- Every quartier value (its own, or its approximation) with its rank and percentile among the published
-- values of the quartiers of its generation (indicators/position.py defines them).
CREATE TABLE quartier_position (
    generation      VARCHAR NOT NULL,
    territory_code  VARCHAR NOT NULL,
    indicator_id    VARCHAR NOT NULL,
    edition         INTEGER NOT NULL,
    value           DOUBLE,
    status          VARCHAR NOT NULL,
    rank_nat BIGINT, n_nat BIGINT, pct_nat DOUBLE,   -- NULL when the value is not published
    rank_dep BIGINT, n_dep BIGINT, pct_dep DOUBLE,
    rank_reg BIGINT, n_reg BIGINT, pct_reg DOUBLE
);

-- Geometries, WGS84, as WKB (decoded with shapely.from_wkb; spatial extension optional).
-- kind: contour (real quartier contour) | commune_point (quartier placed at its commune: flagged)
--       | outline (administrative base layer) | point (contract carrier, programme)
CREATE TABLE territory_geom (
    code        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    generation  VARCHAR,
    geom        BLOB NOT NULL,         -- full detail (repaired if needed)
    geom_display BLOB NOT NULL,        -- simplified for maps (topology-preserving, EPSG:2154, rounded 1e-5)
    repaired    BOOLEAN DEFAULT FALSE,
    is_inset    BOOLEAN DEFAULT FALSE, -- overseas moved next to mainland (ANCT outlines): not true coordinates
    source_file VARCHAR,
    placement   VARCHAR,               -- how it was placed: contour | commune_centroid | commune_outline | epci_outline
                                       -- | outline | porteur (contract point) | import (user file)
    geom_overview BLOB,                -- contours only: national-view version (60 m, rounded 1e-4); NULL: use geom_display
    PRIMARY KEY (code, kind)
);

-- State means per contract: adultes-relais and FONJEP posts (one row per post) and yearly totals.
CREATE TABLE means_post (
    kind          VARCHAR NOT NULL,    -- adulte_relais | fonjep
    id_poste      VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    code_tiers    VARCHAR,
    raison_sociale VARCHAR,
    amount        DOUBLE,
    contrat_code  VARCHAR,             -- NULL when the file lacks code_cv (FONJEP 2024-25)
    departement   VARCHAR,
    region        VARCHAR,
    source_file   VARCHAR NOT NULL,
    record        INTEGER              -- 1-based position of the record in the JSON array (traceability)
);
-- THE counting rule for State means (one rule for fiche, Programmation, deck, PDF and workbook): a post
-- counts once per contract and year, whatever the number of records the file repeats for it (the FONJEP 2025
-- file lists 1,324 of its 1,673 posts more than once: 3,162 records); its amount for the year is its largest record.
-- n_records keeps the number of records read, for traceability. See docs/SCHEMA-geography.md.
CREATE VIEW contract_post_year AS
    SELECT contrat_code, year, kind, id_poste, max(amount) AS amount, count(*) AS n_records,
           string_agg(DISTINCT source_file, ', ' ORDER BY source_file) AS source_file
    FROM means_post WHERE contrat_code IS NOT NULL GROUP BY ALL;
CREATE VIEW contract_means AS
    SELECT contrat_code, year, kind, count(*) AS n_posts, sum(amount) AS amount, sum(n_records) AS n_records,
           string_agg(DISTINCT source_file, ', ' ORDER BY source_file) AS source_file
    FROM contract_post_year GROUP BY ALL;

-- 2020 politique de la ville actions per contract (and per pillar when known).
CREATE TABLE contract_actions_2020 (
    contrat_code VARCHAR NOT NULL,
    theme        VARCHAR,              -- NULL = all themes
    n_projects   INTEGER,
    source_file  VARCHAR NOT NULL,
    carrier_code VARCHAR               -- siren_epci of the file (EPCI SIREN, or commune code when communal)
);

-- Geography additions (docs/SCHEMA-geography.md).
-- Every name of communes.json (current communes, municipal arrondissements, former communes déléguées /
-- associées) and the current commune it belongs to: the 2015 name matcher's dictionary.
CREATE TABLE commune_alias (
    alias_code   VARCHAR NOT NULL,     -- code of the entry in communes.json
    name         VARCHAR NOT NULL,     -- name as published
    departement  VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,     -- commune-actuelle | arrondissement-municipal | commune-deleguee | commune-associee
    commune_code VARCHAR NOT NULL      -- current commune (territory level 'commune')
);

-- Carriers of the contrats de ville as published (codgeo), and the current territory they resolve to.
CREATE TABLE contract_carrier (
    contrat_code  VARCHAR NOT NULL,
    file_generation VARCHAR NOT NULL,  -- '2015' (geom_cv_ctr_2015gen.json) | '2024' (geom_cv_ctr_2024gen.json)
    codgeo        VARCHAR NOT NULL,    -- as published: EPCI SIREN (9) or commune (5)
    carrier_level VARCHAR,             -- commune | epci | ept | epci_fusionne (SIREN no longer in the COG) | NULL (unresolved)
    carrier_code  VARCHAR,             -- current territory code (= codgeo, or the current EPCI containing the contract point)
    lib_cv        VARCHAR,             -- label as published ('01 - CC de la Plaine de l''Ain')
    insee_dep     VARCHAR,
    pop_qpv       DOUBLE,              -- 'pop': population of the contract's quartiers, as published
    is_inset      BOOLEAN,             -- point drawn next to mainland France (overseas inset)
    source_file   VARCHAR NOT NULL,
    feature       INTEGER NOT NULL     -- 1-based feature number in the file
);

-- Cités éducatives / cités de l'emploi and their communes.
CREATE TABLE programme_territory (
    programme   VARCHAR NOT NULL,      -- cite_educative | cite_emploi
    id_territoire VARCHAR NOT NULL,
    name        VARCHAR,
    commune_code VARCHAR,
    source_file VARCHAR NOT NULL
);

-- What was loaded, from which file, when.
CREATE TABLE load_log (
    step        VARCHAR NOT NULL,
    source_file VARCHAR,
    size_bytes  BIGINT,
    sha256      VARCHAR,
    loaded_at   TIMESTAMP NOT NULL,       -- this build
    first_loaded_at TIMESTAMP NOT NULL,   -- first build that loaded this exact content (source_file + sha256),
                                          -- carried over from the previous warehouse (loaders.build)
    rows        BIGINT,
    warnings    INTEGER,
    detail      VARCHAR
);

-- Warnings raised while building (also counted in load_log).
CREATE TABLE build_warning (
    step        VARCHAR NOT NULL,
    source_file VARCHAR,
    line        INTEGER,
    column_name VARCHAR,
    message     VARCHAR NOT NULL
);

-- User imports replayed by every build (files kept in settings.imports_dir()).
CREATE TABLE user_import (
    import_id   VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,       -- contours | indicateurs
    file_name   VARCHAR NOT NULL,
    options     VARCHAR,                -- JSON of the CLI options
    sha256      VARCHAR,
    imported_at TIMESTAMP NOT NULL,
    rows        BIGINT,
    imported_by VARCHAR                 -- who imported (contract.roles.cli_user() for the command line)
);

-- Indicator values imported by users (python -m loaders import indicateurs): a source of their own, kept
-- apart from the official values of indicator_value, which they never replace nor borrow the name of.
-- One value per territory, indicator and edition across imports (`--remplacer` replaces an earlier import's
-- value); each traceable to its file, line and column, with the import's date and author.
CREATE TABLE imported_value (
    territory_code  VARCHAR NOT NULL,
    indicator_id    VARCHAR NOT NULL,
    edition         INTEGER NOT NULL,
    value           DOUBLE,
    status          VARCHAR NOT NULL CHECK (status IN ({{value_statuses}})),
    raw             VARCHAR,           -- the cell as written in the file
    import_id       VARCHAR NOT NULL,  -- user_import.import_id
    file_name       VARCHAR NOT NULL,  -- the user's file name
    source_variable VARCHAR NOT NULL,  -- the column header in the file
    line            INTEGER NOT NULL,  -- 1-based line in the file (header = 1; XLSX: row of the sheet)
    column_name     VARCHAR NOT NULL,  -- column as named in messages (header, and letter for XLSX)
    imported_at     TIMESTAMP NOT NULL,
    imported_by     VARCHAR NOT NULL
);
