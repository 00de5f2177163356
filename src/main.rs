fn main() {
    sealform_form::start();
}
