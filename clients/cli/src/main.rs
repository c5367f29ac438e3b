//! `overcast`: the Overcast command line. Every API operation is a command,
//! generated from the spec (`overcast <resource> <verb>`, from the operation
//! id); on top of those: `login`, a friendly `instance create`, `instance
//! serial [--follow]`, `wait`, and `completion`. Credentials come from a login profile, or from
//! `OVERCAST_ENDPOINT` and `OVERCAST_TOKEN`.

// Left as progenitor and prettyplease wrote it (see clients/rust/src/lib.rs).
#[rustfmt::skip]
mod generated;
mod output;
mod profile;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use overcast_client::{ApiErrorExt, Client, types};

use generated::{Cli, CliCommand};
use output::{Format, Output, describe_error};

/// `drive_list` → (`drive`, `list`); `ip_address_create` → (`ip-address`, `create`).
/// Mechanical, so a new endpoint gets a command without hand work.
fn command_path(operation_id: &str) -> (String, String) {
    match operation_id.rsplit_once('_') {
        Some((noun, verb)) => (noun.replace('_', "-"), verb.to_string()),
        None => (operation_id.to_string(), String::new()),
    }
}

fn command() -> Command {
    let mut root = Command::new("overcast")
        .about("The Overcast command line")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg(
            Arg::new("profile")
                .long("profile")
                .global(true)
                .env("OVERCAST_PROFILE")
                .default_value("default")
                .help("Login profile to use"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_parser(value_parser!(Format))
                .default_value("table")
                .help("Output format"),
        );
    let mut groups: BTreeMap<String, Command> = BTreeMap::new();
    for cmd in CliCommand::iter() {
        let (noun, verb) = command_path(cmd.operation_id());
        if noun == "instance" && (verb == "create" || verb == "serial") {
            continue; // replaced by the hand-written forms below
        }
        let sub = Cli::<Output>::get_command(cmd);
        if verb.is_empty() {
            root = root.subcommand(sub.name(noun));
        } else {
            let group = groups.remove(&noun).unwrap_or_else(|| {
                Command::new(noun.clone())
                    .about(format!("Operations on {noun}s"))
                    .subcommand_required(true)
            });
            groups.insert(noun, group.subcommand(sub.name(verb)));
        }
    }
    let instance = groups
        .remove("instance")
        .expect("the API has instance operations")
        .subcommand(instance_create_command())
        .subcommand(instance_serial_command());
    groups.insert("instance".into(), instance);
    root.subcommands(groups.into_values())
        .subcommand(
            Command::new("login")
                .about("Check a token against an endpoint and save both as a profile")
                .arg(
                    Arg::new("endpoint")
                        .long("endpoint")
                        .required(true)
                        .help("API endpoint, e.g. http://127.0.0.1:8080"),
                )
                .arg(
                    Arg::new("token")
                        .long("token")
                        .required(true)
                        .help("API token"),
                ),
        )
        .subcommand(
            Command::new("wait")
                .about("Wait until an instance or drive reaches a state")
                .arg(
                    Arg::new("kind")
                        .required(true)
                        .value_parser(["instance", "drive"]),
                )
                .arg(Arg::new("name").required(true).help("Name or id"))
                .arg(
                    Arg::new("project")
                        .long("project")
                        .help("Project, when naming by name"),
                )
                .arg(
                    Arg::new("account")
                        .long("account")
                        .help("Account, for operator and partner tokens"),
                )
                .arg(
                    Arg::new("state")
                        .long("state")
                        .required(true)
                        .help("The state to wait for"),
                )
                .arg(
                    Arg::new("timeout")
                        .long("timeout")
                        .value_parser(value_parser!(u64))
                        .default_value("300")
                        .help("Seconds before giving up"),
                ),
        )
        .subcommand(
            Command::new("completion")
                .about("Print a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(value_parser!(clap_complete::Shell)),
                ),
        )
}

fn instance_create_command() -> Command {
    Command::new("create")
        .about("Create an instance: from an image (quick form) or from existing drives")
        .arg(Arg::new("name").required(true).help("Instance name"))
        .arg(Arg::new("project").long("project").required(true))
        .arg(
            Arg::new("account")
                .long("account")
                .help("Account, for operator and partner tokens"),
        )
        .arg(
            Arg::new("image")
                .long("image")
                .help("Image for a new boot drive"),
        )
        .arg(
            Arg::new("boot-drive")
                .long("boot-drive")
                .help("Existing drive to boot from"),
        )
        .arg(
            Arg::new("memory")
                .long("memory")
                .required(true)
                .help("Memory, e.g. 512M or 2G"),
        )
        .arg(
            Arg::new("vcpus")
                .long("vcpus")
                .value_parser(value_parser!(std::num::NonZeroU32))
                .default_value("1"),
        )
        .arg(
            Arg::new("disk")
                .long("disk")
                .help("Size of the new boot drive, e.g. 10G"),
        )
        .arg(
            Arg::new("drive")
                .long("drive")
                .action(ArgAction::Append)
                .help("Extra drive (repeatable)"),
        )
        .arg(
            Arg::new("ip")
                .long("ip")
                .action(ArgAction::Append)
                .help("IP address (repeatable)"),
        )
        .arg(
            Arg::new("ssh-key")
                .long("ssh-key")
                .action(ArgAction::Append)
                .help("SSH key (repeatable)"),
        )
        .arg(
            Arg::new("user-data")
                .long("user-data")
                .help("File with cloud-init user-data"),
        )
        .arg(
            Arg::new("no-start")
                .long("no-start")
                .action(ArgAction::SetTrue)
                .help("Create it stopped"),
        )
}

fn instance_serial_command() -> Command {
    Command::new("serial")
        .about("Print an instance's serial console log; --follow keeps printing new output")
        .arg(Arg::new("name").required(true).help("Name or id"))
        .arg(
            Arg::new("project")
                .long("project")
                .help("Project, when naming by name"),
        )
        .arg(
            Arg::new("account")
                .long("account")
                .help("Account, for operator and partner tokens"),
        )
        .arg(
            Arg::new("follow")
                .long("follow")
                .short('f')
                .action(ArgAction::SetTrue)
                .help("Keep polling for new output until interrupted"),
        )
}

async fn instance_serial(client: &Client, m: &ArgMatches) -> Result<()> {
    use std::io::Write;
    let name = m.get_one::<String>("name").expect("required").clone();
    let follow = m.get_flag("follow");
    let mut offset: u64 = 0;
    loop {
        let mut request = client
            .instance_serial()
            .instance(name.clone())
            .offset(offset);
        if let Some(p) = m.get_one::<String>("project") {
            request = request.project(p.clone());
        }
        if let Some(a) = m.get_one::<String>("account") {
            request = request.account(a.clone());
        }
        let chunk = request
            .send()
            .await
            .map_err(|e| anyhow::anyhow!(describe_error(&e)))?
            .into_inner();
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(chunk.data.as_bytes())?;
        stdout.flush()?;
        drop(stdout);
        offset = u64::try_from(chunk.next_offset)?;
        if offset < u64::try_from(chunk.size)? {
            continue;
        }
        if !follow {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// `512M`, `2G`, `1.5G`, `1073741824`: a size in bytes (binary units).
fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .with_context(|| format!("`{text}` is not a size like 512M or 10G"))?;
    let shift = match unit.trim_end_matches(['B', 'b']).trim_end_matches('i') {
        "" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        "T" | "t" => 40,
        _ => bail!("`{text}`: unknown unit; use K, M, G or T"),
    };
    let bytes = number * (1u64 << shift) as f64;
    if bytes < 0.0 || bytes.fract() != 0.0 {
        bail!("`{text}` is not a whole number of bytes");
    }
    Ok(bytes as u64)
}

fn strings(m: &ArgMatches, id: &str) -> Vec<String> {
    m.get_many::<String>(id)
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

async fn instance_create(client: &Client, out: &Output, m: &ArgMatches) -> Result<()> {
    let memory = parse_size(m.get_one::<String>("memory").expect("required"))?;
    if memory % (1 << 20) != 0 {
        bail!("--memory must be a whole number of MiB");
    }
    let user_data = match m.get_one::<String>("user-data") {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
        None => String::new(),
    };
    let disk = m
        .get_one::<String>("disk")
        .map(|d| parse_size(d))
        .transpose()?;
    let mut body = types::InstanceCreate::builder()
        .name(m.get_one::<String>("name").expect("required").clone())
        .vcpus(
            *m.get_one::<std::num::NonZeroU32>("vcpus")
                .expect("defaulted"),
        )
        .memory_mib(memory >> 20)
        .drives(strings(m, "drive"))
        .ip_addresses(strings(m, "ip"))
        .ssh_keys(strings(m, "ssh-key"))
        .user_data(user_data)
        .start(!m.get_flag("no-start"));
    if let Some(image) = m.get_one::<String>("image") {
        body = body.image(image.clone());
    }
    if let Some(drive) = m.get_one::<String>("boot-drive") {
        body = body.boot_drive(drive.clone());
    }
    if let Some(disk) = disk {
        body =
            body.boot_drive_size_bytes(Some(i64::try_from(disk).context("--disk is too large")?));
    }
    let mut request = client
        .instance_create()
        .project(m.get_one::<String>("project").expect("required").clone())
        .body(body);
    if let Some(account) = m.get_one::<String>("account") {
        request = request.account(account.clone());
    }
    match request.send().await {
        Ok(instance) => {
            out.item(instance.as_ref());
            Ok(())
        }
        Err(e) => bail!(describe_error(&e)),
    }
}

async fn wait(client: &Client, m: &ArgMatches) -> Result<()> {
    let name = m.get_one::<String>("name").expect("required").clone();
    let want = m.get_one::<String>("state").expect("required").clone();
    let timeout = Duration::from_secs(*m.get_one::<u64>("timeout").expect("defaulted"));
    let project = m.get_one::<String>("project").cloned();
    let account = m.get_one::<String>("account").cloned();
    let start = Instant::now();
    loop {
        // The drive and instance builders differ in type but not in shape.
        macro_rules! current_state {
            ($request:expr) => {{
                let mut r = $request;
                if let Some(p) = &project {
                    r = r.project(p.clone());
                }
                if let Some(a) = &account {
                    r = r.account(a.clone());
                }
                let item = r
                    .send()
                    .await
                    .map_err(|e| anyhow::anyhow!(describe_error(&e)))?;
                serde_json::to_value(item.state)?
            }};
        }
        let state = match m.get_one::<String>("kind").map(String::as_str) {
            Some("drive") => current_state!(client.drive_get().drive(name.clone())),
            _ => current_state!(client.instance_get().instance(name.clone())),
        };
        let state = state.as_str().unwrap_or_default().to_string();
        if state == want {
            println!("{name} is {state}");
            return Ok(());
        }
        if start.elapsed() >= timeout {
            bail!(
                "timed out after {}s: {name} is {state}, not {want}",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn login(profile: &str, m: &ArgMatches) -> Result<()> {
    let endpoint = m
        .get_one::<String>("endpoint")
        .expect("required")
        .trim_end_matches('/')
        .to_string();
    let token = m.get_one::<String>("token").expect("required").clone();
    let client = Client::with_token(&endpoint, &token);
    if let Err(e) = client
        .account_list()
        .limit(std::num::NonZeroU32::MIN)
        .send()
        .await
    {
        bail!("the endpoint refused the token: {}", describe_error(&e));
    }
    let mut profiles = profile::load()?;
    profiles
        .profiles
        .insert(profile.to_string(), profile::Profile { endpoint, token });
    let path = profile::save(&profiles)?;
    println!("logged in; profile `{profile}` saved in {}", path.display());
    Ok(())
}

async fn run() -> Result<()> {
    let matches = command().get_matches();
    let format = *matches.get_one::<Format>("output").expect("defaulted");
    let profile_name = matches
        .get_one::<String>("profile")
        .expect("defaulted")
        .clone();
    let (name, sub) = matches.subcommand().expect("a subcommand is required");
    match name {
        "login" => return login(&profile_name, sub).await,
        "completion" => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .expect("required");
            clap_complete::generate(shell, &mut command(), "overcast", &mut std::io::stdout());
            return Ok(());
        }
        _ => {}
    }
    let creds = profile::resolve(
        &profile_name,
        std::env::var("OVERCAST_ENDPOINT").ok(),
        std::env::var("OVERCAST_TOKEN").ok(),
    )?;
    let client = Client::with_token(&creds.endpoint, &creds.token);
    let out = Output::new(format);
    let (verb, leaf) = match sub.subcommand() {
        Some((verb, leaf)) => (verb.to_string(), leaf),
        None => (String::new(), sub),
    };
    match (name, verb.as_str()) {
        ("wait", _) => wait(&client, sub).await,
        ("instance", "create") => instance_create(&client, &out, leaf).await,
        ("instance", "serial") => instance_serial(&client, leaf).await,
        // progenitor's CLI generator cannot print a text response (it emits
        // `todo!()` there), so the one text endpoint is handled here.
        ("metrics", _) => {
            use futures::TryStreamExt;
            let body = client
                .metrics()
                .send()
                .await
                .map_err(|e| anyhow::anyhow!(describe_error(&e)))?
                .into_inner();
            let bytes: Vec<u8> = body
                .into_inner()
                .map_ok(|chunk| chunk.to_vec())
                .try_concat()
                .await?;
            print!("{}", String::from_utf8_lossy(&bytes));
            Ok(())
        }
        _ => {
            let cmd = CliCommand::iter()
                .find(|c| command_path(c.operation_id()) == (name.to_string(), verb.clone()))
                .with_context(|| format!("unknown command {name} {verb}"))?;
            let cli = Cli::new(client, out);
            cli.execute(cmd, leaf).await.map_err(|e| {
                // API errors were printed by the output config; mark them so.
                match e.downcast_ref::<overcast_client::Error<types::ErrorBody>>() {
                    Some(api) if api.api_error().is_some() => anyhow::anyhow!(Printed),
                    _ => e,
                }
            })
        }
    }
}

/// An error already shown to the user.
#[derive(Debug)]
struct Printed;

impl std::fmt::Display for Printed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(printed)")
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<Printed>().is_none() {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("1X").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("big").is_err());
    }

    #[test]
    fn command_paths() {
        assert_eq!(command_path("drive_list"), ("drive".into(), "list".into()));
        assert_eq!(
            command_path("ip_address_release"),
            ("ip-address".into(), "release".into())
        );
        assert_eq!(command_path("healthz"), ("healthz".into(), String::new()));
        command().debug_assert();
    }
}
