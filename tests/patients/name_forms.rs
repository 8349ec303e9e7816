//! The ways a desk types a name (issue 11, item 2): "family, given", initials, a surname of two
//! or more words typed part-way ("van g"), names with and without their accents, a middle or third
//! given name; and the same answers from a pooled connection, where each statement is prepared once
//! and PostgreSQL switches to its generic plan after five runs, as from a bare one planning each
//! call.

use clinic::db::patients;
use clinic::domain::patient::SearchQuery;
use clinic::domain::staff::Job;

use crate::common::{names, register, LOCAL};
use crate::support::TestDb;

/// A clinic with surnames of several words and look-alikes around them.
async fn clinic(db: &TestDb) -> tokio_postgres::Client {
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    for (family, given) in [
        ("van Grinsven", "Pieter"),
        ("van Gogh", "Vincent"),
        ("van der Berg", "Anna"),
        ("Van Dijk", "Gerrit"),
        ("Vandermeer", "Paul"),
        ("Doe", "John"),
        ("Doe", "Jane"),
        ("Dobbs", "Jim"),
        ("Smith", "John Alfie James"),
        ("Smith", "Oliver"),
        ("Smith-Jones", "Ruth"),
        ("García Márquez", "José"),
        ("Nguyễn", "Thị Minh"),
        ("Brontë", "Zoë"),
    ] {
        register(&rita, family, given, "1980-01-01", "", "").await;
    }
    rita
}

#[tokio::test]
async fn family_comma_given_and_initials_find_the_person() {
    let db = TestDb::new().await;
    let rita = clinic(&db).await;

    for typed in ["Doe, John", "doe,john", "Doe, J", "j doe", "doe j"] {
        let found = names(&rita, typed).await;
        assert!(
            found.first().is_some_and(|n| n.ends_with(" Doe")),
            "{typed}: {found:?}"
        );
    }
    assert_eq!(names(&rita, "Doe, John").await[0], "John Doe");
    assert_eq!(
        names(&rita, "j doe").await[..2],
        ["Jane Doe", "John Doe"],
        "an initial is the start of the first given name"
    );
    assert_eq!(
        names(&rita, "García Márquez, José").await,
        ["José García Márquez"]
    );
    assert_eq!(names(&rita, "j a smith").await, ["John Alfie James Smith"]);
}

#[tokio::test]
async fn a_surname_of_several_words_is_found_part_way() {
    let db = TestDb::new().await;
    let rita = clinic(&db).await;

    assert_eq!(
        names(&rita, "van g").await[..2],
        ["Vincent van Gogh", "Pieter van Grinsven"],
        "the words typed are the start of the surname, before a given name starting with g"
    );
    assert_eq!(names(&rita, "van gr").await[0], "Pieter van Grinsven");
    assert_eq!(
        names(&rita, "pieter van gr").await[0],
        "Pieter van Grinsven"
    );
    assert_eq!(names(&rita, "van der b").await[0], "Anna van der Berg");
    assert_eq!(
        names(&rita, "anna van der berg").await[0],
        "Anna van der Berg"
    );
    assert_eq!(
        names(&rita, "van der berg, anna").await[0],
        "Anna van der Berg"
    );
    // "van" typed alone is the start of every van-surname, Vandermeer included.
    let van = names(&rita, "van").await;
    assert_eq!(van.len(), 5, "{van:?}");
    // A hyphenated surname by its second part, and a two-word one by its first.
    assert_eq!(names(&rita, "smith jones").await[0], "Ruth Smith-Jones");
    assert_eq!(names(&rita, "ruth smith").await[0], "Ruth Smith-Jones");
    assert_eq!(names(&rita, "jose garcia").await[0], "José García Márquez");
}

#[tokio::test]
async fn accents_are_optional_and_given_names_count_wherever_they_stand() {
    let db = TestDb::new().await;
    let rita = clinic(&db).await;

    for typed in ["nguyen thi", "Nguyễn Thị", "NGUYEN minh", "thi minh nguyen"] {
        assert_eq!(names(&rita, typed).await, ["Thị Minh Nguyễn"], "{typed}");
    }
    for typed in ["zoe bronte", "Zoë Brontë", "bronte, zoë"] {
        assert_eq!(names(&rita, typed).await, ["Zoë Brontë"], "{typed}");
    }
    // A middle name by itself with the surname; a third given name with the first or the second.
    assert_eq!(
        names(&rita, "alfie smith").await,
        ["John Alfie James Smith"]
    );
    assert_eq!(names(&rita, "alf smith").await, ["John Alfie James Smith"]);
    assert_eq!(
        names(&rita, "john james smith").await,
        ["John Alfie James Smith"]
    );
    assert_eq!(
        names(&rita, "alfie james smith").await,
        ["John Alfie James Smith"]
    );
    // While the surname is still being typed after the given name.
    assert_eq!(names(&rita, "oliver smi").await[0], "Oliver Smith");
    assert_eq!(names(&rita, "oliver s").await[0], "Oliver Smith");
}

#[tokio::test]
async fn a_pooled_connection_with_prepared_statements_answers_as_a_bare_one() {
    let db = TestDb::new().await;
    let rita = clinic(&db).await;
    let login = db.staff("rosa", Job::Receptionist).await;
    let pool =
        clinic::db::connect_as(&db.server_config(), &login.user, &login.password).expect("pool");
    let pooled = pool.get().await.expect("a pooled connection");
    let typed = [
        "doe",
        "j doe",
        "Doe, John",
        "van g",
        "van der b",
        "alfie smith",
        "oliver s",
        "smiht",
        "jhon doe",
        "nguyen thi",
        "doe 1980",
        "01/01/1980",
        "garcia marquez jose",
        "zzz qqq",
    ];
    // Each shape more than five times: PostgreSQL plans a prepared statement afresh for its first
    // five runs and may then keep a generic plan, which must answer the same.
    for round in 0..7 {
        for t in typed {
            let query = SearchQuery::parse(t, LOCAL);
            let bare = patients::search(&rita, &query, 20).await.expect("bare");
            let prepared = patients::search(&pooled, &query, 20)
                .await
                .expect("prepared");
            let ids = |h: &[clinic::domain::patient::PatientHit]| {
                h.iter().map(|h| (h.id, h.similar)).collect::<Vec<_>>()
            };
            assert_eq!(ids(&prepared), ids(&bare), "round {round}: {t}");
        }
    }
    assert!(
        pooled.statement_cache.size() >= typed.len() / 2,
        "the pooled connection kept its statements: {}",
        pooled.statement_cache.size()
    );
}
