//! `jesuisaupays`: telemetry, configuration, then one command.

use clap::{Parser, Subcommand};
use jesuisaupays::{
    Application, Config, assistant_cli, commands, recommend_cli, startup, telemetry,
};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jesuisaupays",
    version,
    about = "One engine for every jesuisaupays country site"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every site (the default).
    Serve,
    /// Run the database migrations and exit.
    Migrate,
    /// Copy the embedded database (consistent, while serving), the uploads and the secret key
    /// into a new folder.
    Backup { dir: PathBuf },
    /// Put a backup made by `backup` back into DATA_DIR (stop the server first).
    Restore {
        dir: PathBuf,
        /// Replace the database DATA_DIR holds (kept beside it, renamed).
        #[arg(long)]
        force: bool,
    },
    /// Tenant config files.
    Tenants {
        #[command(subcommand)]
        command: TenantsCommand,
    },
    /// Load realistic demo data, or N synthetic missions for benchmarks.
    SeedDemo {
        /// Spread this many synthetic missions over every country site instead.
        #[arg(long)]
        missions: Option<usize>,
    },
    /// Create a platform staff account (or reset its password); prints the password once.
    CreateStaff {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        /// Make an existing non-staff portal account staff: its sessions and links end and
        /// its password is replaced. Without it such an account is refused, since anyone may
        /// have registered that address first.
        #[arg(long)]
        take_over_existing: bool,
    },
    /// (Re-)send a focal-point or country-operator invitation: a fresh link (valid 14 days)
    /// through the outbox.
    Invite {
        /// Tenant code, e.g. `cm`.
        #[arg(long)]
        tenant: String,
        /// `focal-point` (needs `--city`) or `country-operator` (no city).
        #[arg(long, value_enum, default_value = "focal-point")]
        role: commands::InviteRole,
        /// City slug, e.g. `yaounde` (focal points only).
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        email: String,
        /// The invitee's name (default: the focal point's name in the tenant file, or the
        /// previous invitation's).
        #[arg(long)]
        name: Option<String>,
    },
    /// The assistant: draft a mission from a message, triage a request, score the engine on
    /// a labelled file (no database needed); rank missions for a member.
    Assistant {
        #[command(subcommand)]
        command: AssistantCommand,
    },
    /// Personal access tokens for the write API.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum AssistantCommand {
    /// Rank the tenant's published missions for a profile (JSON file); prints JSON, best
    /// first: `[{id, url, score, reasons}]`.
    Recommend {
        /// Tenant code, e.g. `cm`.
        #[arg(long)]
        tenant: String,
        /// The profile: `residence_country`, `home_city`, `skills`, `languages`,
        /// `interests_domains`, `contribution_types`, `stays` (`[{from, to, cities}]`),
        /// `remote_ok`.
        #[arg(long)]
        profile: PathBuf,
        /// How many missions at most.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// The day to rank on (default: today where the tenant is).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// The language of the reasons and links (default: the tenant's).
        #[arg(long)]
        locale: Option<String>,
    },
    /// Read a need (WhatsApp message, email, notes) on standard input; print the draft as JSON.
    /// Uses the LLM engine when LLM_URL, LLM_MODEL and LLM_API_KEY are set (the offline
    /// engine whenever it fails), the offline engine otherwise.
    Draft {
        /// Tenant code, e.g. `cm`.
        #[arg(long)]
        tenant: String,
        /// Day that dates without a year are read against (default: today), e.g. 2027-06-01.
        #[arg(long)]
        today: Option<String>,
    },
    /// Read a request on standard input; print its topic, urgency, language and a suggested
    /// reply as JSON. Uses the LLM engine when LLM_* is set, as `draft` does.
    Triage {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// Score the offline engine on a labelled JSONL file (needs or requests); print per-field
    /// accuracy. Always the offline engine: LLM_* is ignored here (no network, no cost).
    Eval {
        file: PathBuf,
        /// Also list every miss.
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a member (address confirmed) of a tenant; prints it once.
    Create {
        /// Tenant code, e.g. `cm`.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// What the token is for (default: "cli").
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum TenantsCommand {
    /// Validate every tenant file; exits non-zero with file, field and reason on error.
    Check {
        /// Folder to check (default: TENANTS_DIR).
        dir: Option<PathBuf>,
    },
    /// List the tenants and their hosts.
    List { dir: Option<PathBuf> },
    /// Print the Kubernetes Ingress (JSON) of every site's public hosts.
    Ingress {
        dir: Option<PathBuf>,
        /// The Service the sites are behind.
        #[arg(long, default_value = "jesuisaupays")]
        service: String,
        #[arg(long, default_value_t = 80)]
        port: u16,
    },
}

/// mimalloc gives freed memory back to the system: with glibc's arenas, a burst of password
/// hashes (19 MiB each) left the server at 890 MB resident for good.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_transparent_huge_pages();
    jesuisaupays::memory::limit_c_arenas();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("could not start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Transparent huge pages off for this process, before any thread starts. mimalloc asks
/// the kernel for them on its arenas, and a 2 MiB page is resident as soon as one byte of it
/// is touched: with 40 catalogues loaded the server was 301 MB resident with them, 221 MB
/// without (2026-12-04, `docs/performance.md`). `MIMALLOC_ALLOW_THP=1` does not bring them
/// back: the kernel refuses them to the process.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = nix::sys::prctl::set_thp_disable(true) {
        eprintln!("transparent huge pages left on: {e}");
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Backup { dir } => jesuisaupays::backup::backup(&config, &dir).await,
        Command::Restore { dir, force } => {
            jesuisaupays::backup::restore(&config, &dir, force).await
        }
        Command::Tenants {
            command: TenantsCommand::Check { dir },
        } => commands::tenants_check(&dir.unwrap_or_else(|| config.tenants_dir.clone())),
        Command::Tenants {
            command: TenantsCommand::List { dir },
        } => commands::tenants_list(&dir.unwrap_or_else(|| config.tenants_dir.clone())),
        Command::Tenants {
            command: TenantsCommand::Ingress { dir, service, port },
        } => commands::tenants_ingress(
            &dir.unwrap_or_else(|| config.tenants_dir.clone()),
            &service,
            port,
        ),
        Command::Assistant { command } => match command {
            AssistantCommand::Draft { tenant, today } => {
                assistant_cli::draft(&config, &tenant, today.as_deref()).await
            }
            AssistantCommand::Triage { tenant, today } => {
                assistant_cli::triage(&config, &tenant, today.as_deref()).await
            }
            AssistantCommand::Eval { file, verbose } => {
                assistant_cli::eval(&config.tenants_dir, &file, verbose)
            }
            AssistantCommand::Recommend {
                tenant,
                profile,
                limit,
                today,
                locale,
            } => {
                recommend_cli::recommend(
                    &config,
                    &tenant,
                    &profile,
                    limit,
                    today,
                    locale.as_deref(),
                )
                .await
            }
        },
        Command::SeedDemo { missions } => commands::seed_demo(&config, missions).await,
        Command::CreateStaff {
            email,
            name,
            take_over_existing,
        } => commands::create_staff(&config, &email, name.as_deref(), take_over_existing).await,
        Command::Token {
            command:
                TokenCommand::Create {
                    tenant,
                    email,
                    name,
                },
        } => {
            let to = commands::Addressee::new(&tenant, &email, name.as_deref());
            commands::token_create(&config, to).await
        }
        Command::Invite {
            tenant,
            role,
            city,
            email,
            name,
        } => match (role, city) {
            (commands::InviteRole::FocalPoint, Some(city)) => {
                let to = commands::Addressee::new(&tenant, &email, name.as_deref());
                commands::invite(&config, to, &city).await
            }
            (commands::InviteRole::FocalPoint, None) => Err(anyhow::anyhow!(
                "--city is required to invite a focal point"
            )),
            (commands::InviteRole::CountryOperator, None) => {
                let to = commands::Addressee::new(&tenant, &email, name.as_deref());
                commands::invite_operator(&config, to).await
            }
            (commands::InviteRole::CountryOperator, Some(_)) => Err(anyhow::anyhow!(
                "--city does not apply to a country operator (the whole site)"
            )),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", startup::one_line(&e));
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    tracing::info!(%addr, database = app.services().store.backend_name(), "listening");
    println!("jesuisaupays is serving on http://{addr}/ :");
    for (code, url) in app.site_urls() {
        println!("  {code:<8} {url}");
    }
    app.run_until_stopped(startup::shutdown_signal()).await
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let store = jsap_store::Store::connect(&config.effective_database_url()).await?;
    store.migrate().await?;
    println!("migrations applied ({})", store.backend_name());
    Ok(())
}
