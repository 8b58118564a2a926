//! Integration tests: the real application on 127.0.0.1:0 with its own database (a SQLite
//! file, or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set) and, when
//! `TEST_REDIS_URL` is set, Redis. One binary, several modules, to link once.

mod account_deletion;
mod accounts;
mod adapters;
mod api;
mod api_write;
mod assistant;
mod assistant_editor;
mod assistant_llm;
mod backup;
mod browser;
mod browser_missions;
mod browser_morning;
mod bulk;
mod cities_console;
mod cities_manage;
mod cli;
mod errors;
mod exports;
mod favourites;
mod hardening;
mod helpers;
mod journal;
mod missions;
mod moderation;
mod news;
mod organisations;
mod outbox;
mod pages;
mod pages_edit;
mod profiles;
mod recommend;
mod requests;
mod roles;
mod search;
mod search_quality;
mod seed;
mod site;
mod spam;
mod staff_console;
mod staff_entry;
mod statistics;
mod store;
mod weather;
mod workspace;
