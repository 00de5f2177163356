//! What machine the figures come from: CPU model, cores, RAM, OS, rustc, Chromium, and how busy it was.

use std::process::Command;

/// A description of this machine, taken at one moment.
#[derive(Debug)]
pub(crate) struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub ram_gib: f64,
    pub os: String,
    pub rustc: String,
    pub chromium: String,
    pub openssl: String,
    pub load_average: String,
    pub date: String,
}

impl Machine {
    pub(crate) fn describe() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let field = |text: &str, name: &str, separator: char| {
            text.lines()
                .find_map(|line| {
                    let (key, value) = line.split_once(separator)?;
                    (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
                })
                .unwrap_or_else(|| "unknown".into())
        };
        let ram_kib: f64 = field(&meminfo, "MemTotal", ':')
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap_or(0.0);
        Self {
            cpu: field(&cpuinfo, "model name", ':'),
            cores: cores(),
            ram_gib: ram_kib / (1024.0 * 1024.0),
            os: format!(
                "{} (Linux {})",
                field(&os_release, "PRETTY_NAME", '='),
                output("uname", &["-r"])
            ),
            rustc: output("rustc", &["--version"]),
            chromium: output("/usr/bin/chromium", &["--version"]),
            openssl: output("openssl", &["version"]),
            load_average: std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        }
    }

    /// One line for the terminal.
    pub(crate) fn summary(&self) -> String {
        format!(
            "machine: {}\nload average: {}",
            self.description(),
            self.load_average
        )
    }

    /// The machine in one sentence.
    pub(crate) fn description(&self) -> String {
        format!(
            "{}, {} cores, {:.1} GiB RAM, {}, {}, {}, {}",
            self.cpu, self.cores, self.ram_gib, self.os, self.rustc, self.chromium, self.openssl
        )
    }

    /// Whether something else was using the CPU (a 1-minute load average above half the cores).
    pub(crate) fn busy(&self) -> bool {
        self.load_average
            .split_whitespace()
            .next()
            .and_then(|one| one.parse::<f64>().ok())
            .is_some_and(|one| one > self.cores as f64 / 2.0)
    }
}

/// The cores this process may use.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The first line a command prints, or "unknown".
pub(crate) fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .and_then(|out| {
            String::from_utf8(out.stdout)
                .ok()?
                .lines()
                .next()
                .map(str::to_owned)
        })
        .filter(|line| !line.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
