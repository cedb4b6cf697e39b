// Keeps man/mfo.1 true to the built mfo: the commands and options each
// `--help` lists, and the configuration keys of core/config.cpp.

#include "core/config.hpp"
#include "tests/support/run_mfo.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace mfo::test;

namespace {

struct HelpPage {
    std::vector<std::string> subcommands;
    std::vector<std::string> options; // "-r" and "--role" separately
};

// One `.SS` or `.TP` entry of the page: its flattened heading or tag, and
// its raw roff body.
struct ManEntry {
    std::string title;
    std::string body;
};

std::vector<std::string> split_words(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string word; in >> word;) {
        words.push_back(word);
    }
    return words;
}

// CLI11 lists each entry with a two-space indent; wrapped descriptions are
// indented further, so they never match.
HelpPage parse_help(const std::string& text)
{
    static const std::regex k_entry(R"(^  ([-a-z][-a-zA-Z0-9,]*)(\s.*)?$)");
    HelpPage page;
    std::istringstream lines(text);
    std::string heading;
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (!line.empty() && line[0] != ' ') {
            heading = line;
        } else if (std::regex_match(line, match, k_entry)) {
            std::istringstream names(match[1].str());
            for (std::string name; std::getline(names, name, ',');) {
                if (heading == "Subcommands:") {
                    page.subcommands.push_back(name);
                } else if (heading == "Options:" && name[0] == '-') {
                    page.options.push_back(name);
                }
            }
        }
    }
    return page;
}

// Every command path ("", "db", "db init", ...) with its help page.
std::map<std::string, HelpPage> help_tree()
{
    const TempDir dir;
    std::map<std::string, HelpPage> tree;
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        const std::string path = pending.back();
        pending.pop_back();
        std::vector<std::string> args = split_words(path);
        args.push_back("--help");
        const RunResult result = run_mfo(dir, args);
        REQUIRE(result.exit_code == 0);
        const HelpPage page = parse_help(result.out);
        for (const std::string& name : page.subcommands) {
            pending.push_back(path.empty() ? name : path + " " + name);
        }
        tree[path] = page;
    }
    return tree;
}

std::string replace_all(std::string text, const std::string& from,
                        const std::string& to)
{
    for (size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// The page with the escapes a reader never types turned into plain text.
std::string man_page()
{
    std::ifstream in(MFO_SOURCE_DIR "/man/mfo.1");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    std::string page =
        std::regex_replace(text.str(), std::regex(R"(\\f[BIRP])"), "");
    const std::pair<const char*, const char*> escapes[] = {
        {"\\-", "-"},    {"\\&", ""},    {"\\(lq", "\""},
        {"\\(rq", "\""}, {"\\(aq", "'"}, {"\\e", "\\"}};
    for (const auto& [escape, plain] : escapes) {
        page = replace_all(page, escape, plain);
    }
    return page;
}

// Macro arguments: words, or "quoted strings".
std::vector<std::string> macro_arguments(const std::string& text)
{
    static const std::regex k_argument(R"re("([^"]*)"|(\S+))re");
    std::vector<std::string> arguments;
    for (std::sregex_iterator it(text.begin(), text.end(), k_argument), end;
         it != end; ++it) {
        arguments.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
    }
    return arguments;
}

// Roff text as a reader sees it, on one line: .B and .I join their
// arguments with spaces, .BR and its kin without; other requests vanish.
std::string flatten(const std::string& roff)
{
    static const std::regex k_font(
        R"(^\.(BR|RB|BI|IB|IR|RI|SS|SH|B|I)(?: (.*))?$)");
    std::istringstream lines(roff);
    std::string flat;
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        std::string text = line;
        if (std::regex_match(line, match, k_font)) {
            const bool is_alternating = match[1].length() == 2 &&
                                        match[1].str() != "SS" &&
                                        match[1].str() != "SH";
            text.clear();
            for (const std::string& part : macro_arguments(match[2].str())) {
                text += (is_alternating || text.empty() ? "" : " ") + part;
            }
        } else if (!line.empty() && line[0] == '.') {
            continue;
        }
        flat += (flat.empty() ? "" : " ") + text;
    }
    return flat;
}

// The text of section `name` (.SH), up to the next section.
std::string section(const std::string& page, const std::string& name)
{
    const std::string start = ".SH " + name + "\n";
    const size_t begin = page.find(start);
    REQUIRE(begin != std::string::npos);
    const size_t from = begin + start.size();
    const size_t end = page.find("\n.SH ", from);
    return end == std::string::npos ? page.substr(from)
                                    : page.substr(from, end + 1 - from);
}

// Splits `text` at each `marker` line; an entry's title is the flattened
// rest of the marker line (.SS) or the line after it (.TP).
std::vector<ManEntry> entries(const std::string& text,
                              const std::string& marker)
{
    std::vector<ManEntry> found;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line == marker) {
            std::getline(lines, line);
            found.push_back({flatten(line), ""});
        } else if (line.rfind(marker + " ", 0) == 0) {
            found.push_back({flatten(line), ""});
        } else if (!found.empty()) {
            found.back().body += line + "\n";
        }
    }
    return found;
}

// "mfo user create EMAIL" -> "user create".
std::string heading_command(const std::string& heading)
{
    static const std::regex k_command_word("[a-z][-a-z0-9]*");
    const std::vector<std::string> words = split_words(heading);
    std::string command;
    for (size_t i = 1; i < words.size(); ++i) {
        if (!std::regex_match(words[i], k_command_word)) {
            break;
        }
        command += (command.empty() ? "" : " ") + words[i];
    }
    return command;
}

std::map<std::string, ManEntry> command_entries(const std::string& page)
{
    std::map<std::string, ManEntry> commands;
    for (const ManEntry& entry : entries(section(page, "COMMANDS"), ".SS")) {
        commands[heading_command(entry.title)] = entry;
    }
    return commands;
}

// Whether `option` (or an environment name) appears as a whole token, so
// "-r" is not found inside "--role".
bool mentions_option(const std::string& text, const std::string& option)
{
    const std::regex whole("(^|[^-_A-Za-z0-9])" + option +
                           "($|[^-_A-Za-z0-9])");
    return std::regex_search(text, whole);
}

std::vector<std::string> option_tokens(const std::string& text)
{
    static const std::regex k_option(R"((^|[\s,])(--?[A-Za-z][-A-Za-z0-9]*))");
    std::vector<std::string> options;
    for (std::sregex_iterator it(text.begin(), text.end(), k_option), end;
         it != end; ++it) {
        options.push_back((*it)[2].str());
    }
    return options;
}

std::string regex_escape(const std::string& text)
{
    return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"),
                              R"(\$&)");
}

bool is_help_option(const std::string& option)
{
    return option == "-h" || option == "--help";
}

} // namespace

TEST_CASE("man page has a section for every command that --help lists", "[cli]")
{
    const std::map<std::string, ManEntry> documented =
        command_entries(man_page());

    for (const auto& [path, help] : help_tree()) {
        if (path.empty()) {
            continue;
        }
        const auto covered = std::find_if(
            documented.begin(), documented.end(), [&](const auto& entry) {
                return entry.first == path ||
                       entry.first.rfind(path + " ", 0) == 0;
            });
        INFO("command: mfo " << path);
        CHECK(covered != documented.end());
    }
}

TEST_CASE("man page documents no command that mfo lacks", "[cli]")
{
    const std::map<std::string, HelpPage> tree = help_tree();

    for (const auto& [command, entry] : command_entries(man_page())) {
        INFO("man page section: " << entry.title);
        CHECK(tree.count(command) == 1);
    }
}

TEST_CASE("man page documents every option of a command in its section",
          "[cli]")
{
    const std::string page = man_page();
    const std::map<std::string, ManEntry> documented = command_entries(page);

    for (const auto& [path, help] : help_tree()) {
        const bool is_global = path.empty();
        if (!is_global && !help.subcommands.empty()) {
            continue; // a group: only --help
        }
        const auto entry = documented.find(path);
        INFO("command: mfo " << path);
        if (!is_global && entry == documented.end()) {
            FAIL_CHECK("no man page section");
            continue;
        }
        const std::string text =
            is_global ? section(page, "OPTIONS") : entry->second.body;
        for (const std::string& option : help.options) {
            INFO("option " << option << " of: mfo " << path);
            CHECK((mentions_option(text, option) ||
                   (!is_global && is_help_option(option))));
        }
    }
}

TEST_CASE("man page documents no option that its command lacks", "[cli]")
{
    const std::string page = man_page();
    std::map<std::string, HelpPage> tree = help_tree();
    std::map<std::string, ManEntry> documented = command_entries(page);
    documented[""] = {"OPTIONS", section(page, "OPTIONS")};

    for (const auto& [command, entry] : documented) {
        const std::vector<std::string>& real = tree[command].options;
        for (const ManEntry& item : entries(entry.body, ".TP")) {
            for (const std::string& option : option_tokens(item.title)) {
                INFO("option " << option << " in: " << entry.title);
                CHECK(std::count(real.begin(), real.end(), option) == 1);
            }
        }
    }
}

TEST_CASE("man page gives every config key its environment names and "
          "default",
          "[cli]")
{
    std::map<std::string, std::string> documented;
    for (const ManEntry& item :
         entries(section(man_page(), "CONFIGURATION"), ".TP")) {
        documented[item.title] = flatten(item.body);
    }

    for (const mfo::core::ConfigKey& key : mfo::core::config_keys()) {
        INFO("config key: " << key.name);
        REQUIRE(documented.count(key.name) == 1);
        const std::string& text = documented[key.name];
        CHECK(mentions_option(text, key.env_name));
        for (const std::string& alias : key.aliases) {
            CHECK(mentions_option(text, alias));
        }
        const std::string default_text =
            key.default_value.empty() ? "empty" : key.default_value;
        CHECK(std::regex_search(
            text,
            std::regex("Default: " + regex_escape(default_text) + "[. ]")));
    }
}

TEST_CASE("man page describes no config key that mfo lacks", "[cli]")
{
    const std::vector<mfo::core::ConfigKey>& keys = mfo::core::config_keys();

    for (const ManEntry& item :
         entries(section(man_page(), "CONFIGURATION"), ".TP")) {
        INFO("man page key: " << item.title);
        CHECK(std::count_if(keys.begin(), keys.end(), [&](const auto& key) {
                  return key.name == item.title;
              }) == 1);
    }
}
