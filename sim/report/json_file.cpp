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
    try {
        return OrderedJson::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann reports a byte offset; people read lines and columns.
        int line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw InputError({path, line, column}, "", std::string("not valid JSON: ") + e.what());
    }
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
