#include "sim/bound/linear_programme.hpp"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

namespace fleetsim {

int LinearProgramme::add_col(double objective, double upper) {
    objective_.push_back(objective);
    upper_.push_back(upper);
    return static_cast<int>(objective_.size());  // GLPK columns are 1-based
}

int LinearProgramme::add_row(double upper) {
    row_upper_.push_back(upper);
    return static_cast<int>(row_upper_.size());
}

void LinearProgramme::set(int row, int col, double value) {
    ia_.push_back(row);
    ja_.push_back(col);
    ar_.push_back(value);
}

void LinearProgramme::solve() {
    std::unique_ptr<glp_prob, void (*)(glp_prob*)> lp(glp_create_prob(), glp_delete_prob);
    glp_set_obj_dir(lp.get(), GLP_MAX);
    if (rows() > 0)
        glp_add_rows(lp.get(), rows());
    if (cols() > 0)
        glp_add_cols(lp.get(), cols());
    for (int r = 1; r <= rows(); ++r)
        glp_set_row_bnds(lp.get(), r, GLP_UP, 0, row_upper_[static_cast<std::size_t>(r - 1)]);
    for (int c = 1; c <= cols(); ++c) {
        const double u = upper_[static_cast<std::size_t>(c - 1)];
        const int type = !std::isfinite(u) ? GLP_LO : u > 0 ? GLP_DB : GLP_FX;
        glp_set_col_bnds(lp.get(), c, type, 0, std::isfinite(u) ? std::max(u, 0.0) : 0);
        glp_set_obj_coef(lp.get(), c, objective_[static_cast<std::size_t>(c - 1)]);
    }
    // GLPK's arrays are 1-based: element 0 is ignored.
    std::vector<int> ia = {0}, ja = {0};
    std::vector<double> ar = {0};
    ia.insert(ia.end(), ia_.begin(), ia_.end());
    ja.insert(ja.end(), ja_.begin(), ja_.end());
    ar.insert(ar.end(), ar_.begin(), ar_.end());
    glp_load_matrix(lp.get(), static_cast<int>(ar_.size()), ia.data(), ja.data(), ar.data());
    glp_term_out(GLP_OFF);  // GLPK prints its progress to stdout otherwise
    glp_scale_prob(lp.get(), GLP_SF_AUTO);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    const int rc = glp_simplex(lp.get(), &parm);
    if (rc != 0 || glp_get_status(lp.get()) != GLP_OPT) {
        throw std::runtime_error("hindsight bound: GLPK simplex failed (return code " +
                                 std::to_string(rc) + ", status " +
                                 std::to_string(glp_get_status(lp.get())) + ")");
    }
    objective_value_ = glp_get_obj_val(lp.get());
    x_.resize(static_cast<std::size_t>(cols()));
    for (int c = 1; c <= cols(); ++c)
        x_[static_cast<std::size_t>(c - 1)] = glp_get_col_prim(lp.get(), c);
    dual_.resize(static_cast<std::size_t>(rows()));
    for (int r = 1; r <= rows(); ++r)
        dual_[static_cast<std::size_t>(r - 1)] = glp_get_row_dual(lp.get(), r);
}

std::string LinearProgramme::solver() {
    return std::string("GLPK ") + glp_version() + " simplex";
}

}  // namespace fleetsim
