#pragma once
// A linear programme max c'x subject to rows <= b and 0 <= x <= u, collected entry by entry and
// then handed to GLPK's simplex method: the only code that includes glpk.h. Rows and columns are
// numbered from 1 in the order they were added, as GLPK numbers them.

#include <limits>
#include <string>
#include <vector>

namespace fleetsim {

class LinearProgramme {
public:
    /** Adds a column with its objective coefficient and upper bound; returns its number. */
    int add_col(double objective, double upper = std::numeric_limits<double>::infinity());
    /** Adds a row `... <= upper`; returns its number. */
    int add_row(double upper);
    /** Sets the coefficient of `col` in `row`. */
    void set(int row, int col, double value);
    int cols() const { return static_cast<int>(objective_.size()); }
    int rows() const { return static_cast<int>(row_upper_.size()); }

    /** Solves with the simplex method (std::runtime_error when it finds no optimum); x and the
        row duals are then available. */
    void solve();

    double objective_value() const { return objective_value_; }
    double x(int col) const { return x_[static_cast<std::size_t>(col - 1)]; }
    double objective(int col) const { return objective_[static_cast<std::size_t>(col - 1)]; }
    double dual(int row) const { return dual_[static_cast<std::size_t>(row - 1)]; }

    /** "GLPK <version> simplex", for bound.json. */
    static std::string solver();

private:
    std::vector<double> objective_, upper_, row_upper_;
    std::vector<int> ia_, ja_;
    std::vector<double> ar_;
    double objective_value_ = 0;
    std::vector<double> x_, dual_;
};

}  // namespace fleetsim
