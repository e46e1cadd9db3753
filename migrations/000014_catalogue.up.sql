-- 000014_catalogue: the 基层政务公开标准目录 of each organisation. catalogue_items has one row per
-- item code (its current version, its place in the catalogue, and when it was retired);
-- catalogue_item_versions keeps every version an item has had, never changed or deleted, so a
-- document tagged with an item can keep the version it was tagged with, and a retired item stays
-- readable.
CREATE TABLE catalogue_items (
    org_id          bigint      NOT NULL REFERENCES orgs(id),
    code            text        NOT NULL,
    current_version integer     NOT NULL CHECK (current_version > 0),
    seq             integer     NOT NULL CHECK (seq > 0),  -- 序号: position in the catalogue
    retired_at      timestamptz,                           -- NULL while the item is in force
    PRIMARY KEY (org_id, code)
);

CREATE TABLE catalogue_item_versions (
    org_id      bigint      NOT NULL,
    code        text        NOT NULL,
    version     integer     NOT NULL CHECK (version > 0),
    area        text        NOT NULL,                      -- 领域
    level1      text        NOT NULL,                      -- 一级事项
    level2      text        NOT NULL,                      -- 二级事项
    content     text[]      NOT NULL,                      -- 公开内容（要素）
    basis       text[]      NOT NULL,                      -- 公开依据
    time_limit  text        NOT NULL,                      -- 公开时限 as printed
    rule_kind   text        NOT NULL CHECK (rule_kind IN ('working', 'calendar', 'prompt', 'standing', 'annual')),
    rule_days   integer     NOT NULL DEFAULT 0,            -- working, calendar
    rule_month  integer     NOT NULL DEFAULT 0,            -- annual
    rule_day    integer     NOT NULL DEFAULT 0,            -- annual
    subject     text        NOT NULL,                      -- 公开主体
    channels    text[]      NOT NULL,                      -- 公开渠道和载体
    audience    text        NOT NULL CHECK (audience IN ('全社会', '特定群体')),
    mode        text        NOT NULL CHECK (mode IN ('主动', '依申请')),
    category    text        NOT NULL CHECK (category IN ('决策', '执行', '管理', '服务', '结果')),
    source_file text        NOT NULL,
    source_line integer     NOT NULL,
    loaded_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, code, version),
    FOREIGN KEY (org_id, code) REFERENCES catalogue_items (org_id, code)
);
