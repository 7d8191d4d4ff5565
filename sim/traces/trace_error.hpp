#pragma once
// A trace file that is not what its format says: what() reads "file:line:column: message
// (key 'column')", like every other bad input, and main() exits 2 on it (it is a CsvError, the
// error every file read as input raises). `line` is the file's line (a JSON file's too),
// `column` the 1-based field of the row (SWF, CSV) or the character on the line (JSON).

#include "sim/io/csv.hpp"

#include <string>

namespace fleetsim {

class TraceError : public CsvError {
public:
    using CsvError::CsvError;
};

}  // namespace fleetsim
