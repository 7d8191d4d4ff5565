#include "sim/report/json_file.hpp"

#include "sim/config/input_error.hpp"

#include <fstream>
#include <sstream>

namespace fleetsim {

OrderedJson read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError({path, 0, 0}, "", "cannot open the file");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    // nlohmann reports a byte offset; people read lines and columns.
    auto fail_at = [&](std::size_t byte, const std::string& message) {
        int line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw InputError({path, line, column}, "", "not valid JSON: " + message);
    };
    try {
        return OrderedJson::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        fail_at(e.byte, e.what());
    } catch (const nlohmann::json::out_of_range& e) {
        // A number no double holds (1e999) is out_of_range.406, which has no offset: the
        // message quotes the number, so it is found in the text (first occurrence).
        const std::string what = e.what();
        const auto open = what.find('\''), close = what.rfind('\'');
        const std::string number = open != std::string::npos && close > open
                                       ? what.substr(open + 1, close - open - 1)
                                       : "";
        const auto at = number.empty() ? std::string::npos : text.find(number);
        fail_at(at == std::string::npos ? 0 : at + 1, what);
    }
    return {};  // not reached: fail_at throws
}

const OrderedJson& JsonFields::at(const std::string& key) const {
    if (!node_.is_object() || !node_.contains(key))
        wrong(key, "expected this key, found none");
    return node_.at(key);
}

void JsonFields::wrong(const std::string& key, const std::string& message) const {
    throw InputError({file_, 0, 0}, prefix_.empty() ? key : prefix_ + "." + key, message);
}

double JsonFields::number(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number())
        wrong(key, "expected a number, found " + v.dump());
    return v.get<double>();
}

std::optional<double> JsonFields::optional_number(const std::string& key) const {
    const auto& v = at(key);
    if (v.is_null())
        return std::nullopt;
    return number(key);
}

std::string JsonFields::text(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_string())
        wrong(key, "expected a string, found " + v.dump());
    return v.get<std::string>();
}

JsonFields JsonFields::object(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_object())
        wrong(key, "expected an object, found " + v.dump());
    return JsonFields(file_, v, prefix_.empty() ? key : prefix_ + "." + key);
}

const OrderedJson& JsonFields::array(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_array())
        wrong(key, "expected an array, found " + v.dump());
    return v;
}

}  // namespace fleetsim
