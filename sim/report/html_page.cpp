#include "sim/report/html_page.hpp"

#include "sim/report/assets.hpp"

#include <cctype>
#include <map>
#include <stdexcept>

namespace fleetsim {
namespace {

const std::string& page_file(const std::string& name) {
    for (const auto& [path, text] : report_page_files()) {
        if (path == name)
            return text;
    }
    throw std::logic_error("report asset not embedded: " + name);
}

/** Case-insensitive search for an ASCII needle. */
std::size_t find_nocase(const std::string& text, const std::string& needle, std::size_t from) {
    for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && std::tolower(static_cast<unsigned char>(text[i + k])) ==
                                        static_cast<unsigned char>(needle[k]))
            ++k;
        if (k == needle.size())
            return i;
    }
    return std::string::npos;
}

void insert_backslash(std::string& text, const std::string& needle) {
    for (auto pos = find_nocase(text, needle, 0); pos != std::string::npos;
         pos = find_nocase(text, needle, pos + needle.size() + 1))
        text.insert(pos + 1, "\\");
}

}  // namespace

std::string escape_html(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_script(std::string text) {
    insert_backslash(text, "</script");
    insert_backslash(text, "<!--");
    return text;
}

std::string escape_json_for_script(const std::string& json) {
    // '<' only occurs inside JSON strings, where \u003c means the same character.
    std::string out;
    out.reserve(json.size());
    for (char c : json) {
        if (c == '<')
            out += "\\u003c";
        else
            out += c;
    }
    return out;
}

namespace {

/** A run with a class replayed from a job log (its JSON has a job_trace). */
bool has_replayed_class(const OrderedJson& data) {
    const auto it = data.find("classes");
    if (it == data.end() || !it->is_array())
        return false;
    for (const auto& c : *it) {
        if (c.is_object() && c.contains("job_trace"))
            return true;
    }
    return false;
}

/** A run with a failure model (build_run_data adds "failures" only then). */
bool has_failures(const OrderedJson& data) {
    return data.contains("failures");
}

}  // namespace

std::string render_page(const std::string& title,
                        const OrderedJson& data,
                        const std::string& script) {
    std::string vendor;
    for (const auto& [path, text] : report_vendor_files())
        vendor += "/* " + path + " */\n" + escape_script(text) + "\n";
    const std::map<std::string, std::string> parts = {
        {"TITLE", escape_html(title)},
        {"STYLE", page_file("report/src/style.css")},
        {"VENDOR", vendor},
        {"APP", escape_script(page_file(script))},
        {"DATA", escape_json_for_script(data.dump())},
        // Only for runs that replay a log, so that other reports keep their bytes.
        {"EXTRA",
         has_replayed_class(data)
             ? "\n<script>\n" + escape_script(page_file("report/src/replay.js")) + "</script>"
             : ""},
        // Only for runs with a failure model, likewise; before fleetsimDraw() is called, since
        // its charts must be drawn (and waited for) with the others.
        {"FAILURES",
         has_failures(data)
             ? "\n<script>\n" + escape_script(page_file("report/src/failures.js")) + "</script>"
             : ""},
    };
    // One pass over the template, so that no marker is ever looked for inside inserted text.
    const std::string& tpl = page_file("report/src/page.html");
    std::string page;
    std::size_t at = 0;
    for (auto open = tpl.find("{{"); open != std::string::npos; open = tpl.find("{{", at)) {
        const auto close = tpl.find("}}", open);
        auto it = close == std::string::npos ? parts.end()
                                             : parts.find(tpl.substr(open + 2, close - open - 2));
        if (it == parts.end())
            throw std::logic_error("report template: unknown marker at byte " +
                                   std::to_string(open));
        page.append(tpl, at, open - at);
        page += it->second;
        at = close + 2;
    }
    page.append(tpl, at);
    return page;
}

}  // namespace fleetsim
