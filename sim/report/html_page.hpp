#pragma once
// Assembles one self-contained HTML file: the page template with its style, the chart
// libraries and the page script inlined, and the report's data as a JSON block.

#include "sim/report/json_file.hpp"

#include <string>

namespace fleetsim {

/** `script`: the page's script among the embedded files (report.js for a run or a sweep,
    compare.js for `fleetsim compare`). */
std::string render_page(const std::string& title,
                        const OrderedJson& data,
                        const std::string& script = "report/src/report.js");

/** Text safe inside an HTML element or attribute. */
std::string escape_html(const std::string& text);

/**
 * Text safe inside a <script> element: "</script" and "<!--" would end or derail it, and both
 * only occur inside string, regex or comment text, where "<\/" and "<\!" mean the same.
 */
std::string escape_script(std::string text);

/** JSON safe inside a <script type="application/json"> element. */
std::string escape_json_for_script(const std::string& json);

}  // namespace fleetsim
