-- Synthetic data for `clinic-bench generate`: run as the cluster's superuser on a migrated database,
-- with the bench's staff logins already created. Set-based (INSERT ... SELECT generate_series) so a
-- million patients and ten million appointments load in minutes.
--
-- Steps are separated by "-- step:" lines; placeholders {{name}} are filled in by the bench with
-- integers only. The name lists are ordered most common first and drawn with a skew (power of a
-- uniform draw), so a few surnames are very common, as in life, while synthetic surnames built
-- from syllables give the long tail of rare ones; accents and apostrophes are there on purpose.
--
-- With {{spread}} = 1 the names follow another population (`generate --population spread`): 35%
-- Spanish double surnames ("García López", given names often two: "María José"), 20% Dutch and
-- German surnames with particles ("van der Berg", "de la Cruz"), 20% Vietnamese (a few short,
-- heavily shared surnames and middle names: Nguyễn Thị Anh), and 25% spread evenly over tens of
-- thousands of made-up surnames, so that most full names have less than a screenful of exact
-- matches and many are three and four words long.

-- step: patients
WITH
  lists AS (SELECT
    ARRAY['Smith','Jones','Williams','Brown','Taylor','Davies','Wilson','Evans','Thomas','Johnson','Roberts',
      'Walker','Wright','Robinson','Thompson','White','Hughes','Edwards','Green','Hall','Wood','Harris','Lewis',
      'Martin','Jackson','Clarke','Clark','Turner','Hill','Scott','Cooper','Morris','Ward','Moore','King','Watson',
      'Baker','Harrison','Morgan','Patel','Young','Allen','Mitchell','James','Anderson','Phillips','Lee','Bell',
      'Parker','Davis','Müller','Schmidt','Schneider','Fischer','Weber','Meyer','Wagner','Becker','Schulz',
      'Hoffmann','Schröder','Koch','Bauer','Richter','Klein','Wolf','Schäfer','Neumann','García','Fernández',
      'González','Rodríguez','López','Martínez','Sánchez','Pérez','Gómez','Martín','Jiménez','Ruiz','Hernández',
      'Díaz','Moreno','Muñoz','Álvarez','Romero','Alonso','Gutiérrez','Navarro','Núñez','Peña','Martin','Bernard',
      'Dubois','Durand','Lefèvre','Leroy','Moreau','Girard','Bonnet','Fontaine','Rousseau','Mercier','Faure',
      'Rossi','Russo','Ferrari','Esposito','Bianchi','Romano','Colombo','Ricci','Marino','Greco','Bruno','Gallo',
      'Conti','De Luca','Costa','Giordano','Mancini','Rizzo','Lombardi','Silva','Santos','Ferreira','Pereira',
      'Oliveira','Rodrigues','Carvalho','Gonçalves','Sousa','Lima','Nowak','Kowalski','Wiśniewski','Wójcik',
      'Kowalczyk','Kamiński','Lewandowski','Zieliński','Szymański','Woźniak','Dąbrowski','Łukasiewicz','Dvořák',
      'Novák','Svoboda','Novotný','Černý','Procházka','Kučera','Veselý','Horák','Němec','Andersson','Johansson',
      'Karlsson','Nilsson','Eriksson','Larsson','Olsson','Persson','Svensson','Gustafsson','Nielsen','Jensen',
      'Hansen','Pedersen','Andersen','Christensen','Larsen','Sørensen','Rasmussen','Jørgensen','Søndergaard',
      'Murphy','Kelly','O''Sullivan','Walsh','O''Brien','Byrne','Ryan','O''Connor','O''Neill','O''Reilly','Doyle',
      'McCarthy','Gallagher','Doherty','Kennedy','Lynch','Murray','Quinn','Moore','McLaughlin','Ó Súilleabháin',
      'MacDonald','Campbell','Stewart','Robertson','MacLeod','Fraser','Yılmaz','Kaya','Demir','Şahin','Çelik',
      'Yıldız','Yıldırım','Öztürk','Aydın','Özdemir','Arslan','Doğan','Ivanov','Smirnov','Kuznetsov','Popov',
      'Vasiliev','Petrov','Sokolov','Mikhailov','Novikov','Fedorov','Ivanova','Petrova','Kovalenko','Bondarenko',
      'Shevchenko','Nguyen','Tran','Le','Pham','Hoang','Phan','Vu','Dang','Bui','Do','Chen','Wang','Li','Zhang',
      'Liu','Yang','Huang','Zhao','Wu','Zhou','Xu','Sun','Ma','Zhu','Hu','Guo','Kim','Park','Choi','Jung','Kang',
      'Cho','Yoon','Jang','Lim','Han','Sato','Suzuki','Takahashi','Tanaka','Watanabe','Ito','Yamamoto',
      'Nakamura','Kobayashi','Kato','Singh','Kumar','Sharma','Shah','Gupta','Khan','Ali','Ahmed','Hussain',
      'Rahman','Hassan','Ibrahim','Mahmoud','Haddad','Khoury','Okafor','Adeyemi','Okonkwo','Mensah','Owusu',
      'Boateng','Diallo','Traoré','Keita','Cohen','Levi','Mizrahi','Friedman','Katz','Doe','Dowe','Papadopoulos',
      'Georgiou','Nikolaidis','Horvat','Kovačević','Babić','Novaković','Jovanović','Petrović','Nagy','Kovács',
      'Tóth','Szabó','Horváth','Varga','Kiss','Molnár','Németh','Farkas','Virtanen','Korhonen','Mäkinen',
      'Nieminen','Mäkelä','Hämäläinen','Jansen','de Jong','de Vries','van den Berg','van Dijk','Bakker',
      'Visser','Smit','Meijer','de Boer','Peeters','Janssens','Maes','Jacobs','Mertens','Willems'] AS fam,
    ARRAY['Olivia','Emma','Amelia','Isla','Ava','Mia','Sophia','Grace','Lily','Freya','Emily','Ivy','Ella',
      'Rosie','Evie','Florence','Poppy','Charlotte','Willow','Isabella','Sophie','Chloé','Zoë','Anna','Hannah',
      'Sarah','Laura','Julia','Maria','María','Lucía','Sofía','Paula','Marta','Elena','Carmen','Inés','Léa',
      'Manon','Camille','Chloe','Maëlle','Léonie','Hélène','Agnès','Giulia','Francesca','Chiara','Alessia',
      'Beatriz','Mariana','Joana','Zofia','Małgorzata','Agnieszka','Katarzyna','Barbora','Tereza','Eliška',
      'Ingrid','Astrid','Sigrid','Maja','Freja','Siobhan','Aoife','Niamh','Saoirse','Mairéad','Ayşe','Elif',
      'Zeynep','Olga','Tatiana','Natalia','Svetlana','Linh','Mai','Mei','Xiu','Yuki','Hana','Sakura','Ji-woo',
      'Priya','Ananya','Aisha','Fatima','Amina','Layla','Noura','Ngozi','Chiamaka','Abena','Adwoa','Miriam',
      'Rivka','Eleni','Dimitra','Ivana','Jelena','Réka','Zsófia','Aino','Helmi','Sanne','Femke','Lotte',
      'Margaret','Elizabeth','Patricia','Jennifer','Linda','Barbara','Susan','Jessica','Karen','Nancy','Betty',
      'Helen','Dorothy','Joan','Renée','Mary','Jane','Rachel','Rebecca','Victoria'] AS fem,
    ARRAY['Oliver','George','Noah','Arthur','Harry','Leo','Muhammad','Jack','Charlie','Oscar','Jacob','Henry',
      'Thomas','Freddie','Alfie','Theo','William','Theodore','Archie','Joshua','James','John','Robert','Michael',
      'David','Richard','Joseph','Charles','Christopher','Daniel','Matthew','Anthony','Mark','Paul','Andrew',
      'Peter','Stephen','Jonathan','Jon','Lukas','Jürgen','Björn','Søren','Ólafur','José','Jesús','Hugo',
      'Martín','Mateo','Álvaro','Pablo','Javier','Sergio','Raúl','Andrés','François','Jérôme','Émile','Gaël',
      'Loïc','Mathéo','Benoît','Giuseppe','Luca','Marco','Francesco','Matteo','Lorenzo','João','Tomás',
      'Gonçalo','Piotr','Paweł','Łukasz','Wojciech','Jakub','Jiří','Tomáš','Ondřej','Lars','Erik','Anders',
      'Magnus','Seán','Pádraig','Cian','Oisín','Ciarán','Mehmet','Mustafa','Ahmet','Emre','Dmitri','Sergei',
      'Ivan','Alexei','Nikolai','Minh','Duc','Wei','Jun','Hao','Kenji','Hiroshi','Takumi','Min-jun','Raj',
      'Arjun','Rohan','Omar','Ali','Hassan','Yusuf','Ibrahim','Chidi','Emeka','Kwame','Kofi','Moshe','David',
      'Yosef','Nikos','Giorgos','Luka','Marko','Bence','Máté','Jukka','Mikko','Daan','Sem','Bram','Willem',
      'Donald','Kenneth','Kevin','Brian','Edward','Ronald','Timothy','Jason','Gary','Eric','Larry','Scott'] AS mal,
    ARRAY['Ash','Bar','Bel','Black','Brad','Brook','Cal','Cart','Chad','Clay','Crom','Dal','Dar','Dun','Eld',
      'Fair','Fal','Fen','Gar','Glen','Gold','Hal','Har','Haw','Hol','Kel','Kin','Lang','Lin','Lock','Mal','Mar',
      'Mel','Mid','Mor','Nor','Oak','Pem','Pen','Ral','Red','Ros','Rut','Sal','Sel','Stan','Strat','Sud','Tal',
      'Thorn','Tor','Tre','Vel','Wal','War','Wes','Whit','Win','Wor','Yar','Ber','Kol','Nov','Pol','Sten','Val',
      'Zel','Dra','Ost','Lund'] AS syl_a,
    ARRAY['a','e','i','o','er','en','in','ow','ing','ridge','ling','ham','ett','ard','ley','mond','wick','win'] AS syl_m,
    ARRAY['by','ton','ford','field','wood','well','worth','more','croft','ley','son','sen','sson','mann','berg',
      'stein','feld','ski','ska','ova','ov','enko','ić','ez','es','ini','elli','ot','eau','ier','ard','man',
      'ham','stead','wick','thorpe','combe','dale','holm','gaard'] AS syl_b,
    ARRAY['García','Rodríguez','González','Fernández','López','Martínez','Sánchez','Pérez','Gómez','Martín',
      'Jiménez','Ruiz','Hernández','Díaz','Moreno','Muñoz','Álvarez','Romero','Alonso','Gutiérrez','Navarro',
      'Torres','Domínguez','Vázquez','Ramos','Gil','Ramírez','Serrano','Blanco','Molina','Morales','Suárez',
      'Ortega','Delgado','Castro','Ortiz','Rubio','Marín','Sanz','Núñez','Iglesias','Medina','Garrido','Cortés',
      'Castillo','Santos','Lozano','Guerrero','Cano','Prieto','Méndez','Cruz','Calvo','Gallego','Vidal','León',
      'Márquez','Herrera','Peña','Flores','Cabrera','Campos','Vega','Fuentes','Carrasco','Diez','Caballero',
      'Reyes','Nieto','Aguilar','Pascual','Santana','Herrero','Lorenzo','Montero','Hidalgo','Giménez','Ibáñez',
      'Ferrer','Durán'] AS hisp,
    ARRAY['María','José','Juan','Ana','Carmen','Luis','Antonio','Manuel','Francisco','Javier','Lucía','Laura',
      'Marta','Pilar','Dolores','Isabel','Rosa','Teresa','Jorge','Alberto','Pedro','Ángel','Daniel','David',
      'Sofía','Paula','Elena','Cristina','Raquel','Beatriz','Miguel','Rafael','Fernando','Pablo','Sergio',
      'Alejandro','Diego','Andrés','Ramón','Enrique','Inés','Julia','Alba','Nuria','Silvia','Mercedes','Victoria',
      'Rocío','Lorena','Patricia','Carlos','Jesús','Vicente','Ignacio','Óscar','Rubén','Adrián','Iván','Tomás',
      'Emilio'] AS hisp_giv,
    ARRAY['van','van der','van den','van de','de','de la','ter','von','van het','op de'] AS particle,
    ARRAY['Berg','Dijk','Meer','Veen','Brink','Heuvel','Bosch','Laan','Wal','Linden','Velde','Beek','Broek',
      'Hoek','Burg','Graaf','Leeuw','Vries','Wit','Groot','Haan','Jong','Boer','Bruin','Kok','Vos','Mol','Ven',
      'Zanden','Hout','Steen','Pol','Horst','Kamp','Loo','Ende','Water','Bergh','Wiel','Berkel','Grinsven',
      'Gogh','Rijn','Dam','Leeuwen','Vliet','Doorn','Akker','Haar','Wetering','Sande','Hulst','Bemmel','Boven',
      'Dongen','Elst','Gent','Helden','Kessel','Lier','Maas','Nes','Oort','Putten','Rossum','Schie','Tol','Uden',
      'Vaart','Weide','Zee','Aa','Baak','Corput','Delft','Eijk','Firma','Gaal','Hal','Ijssel','Kolk','Lent',
      'Marle','Noort','Ooij','Praag','Rooij','Staal','Tuyl','Velzen','Wouw','Zijl','Arkel','Bree','Cate','Dool',
      'Essen','Flier','Goor','Hamel'] AS dutch,
    ARRAY['Pieter','Jan','Johannes','Hendrik','Willem','Cornelis','Gerrit','Jacob','Dirk','Maarten','Bram',
      'Daan','Sem','Lucas','Thijs','Ruben','Koen','Joost','Sander','Niels','Anna','Maria','Johanna','Elisabeth',
      'Cornelia','Hendrika','Sanne','Femke','Lotte','Emma','Julia','Sophie','Eva','Lisa','Anouk','Fleur','Iris',
      'Noor','Tess','Roos','Klaus','Jürgen','Heinrich','Friedrich','Ute','Gisela','Ingrid','Heike','Greta',
      'Lieselotte','Wouter','Jeroen','Bart','Tom','Joris','Mirjam','Marieke','Ilse','Esther','Hanneke'] AS dutch_giv,
    ARRAY['Nguyễn','Trần','Lê','Phạm','Hoàng','Huỳnh','Phan','Vũ','Võ','Đặng','Bùi','Đỗ','Hồ','Ngô','Dương','Lý'] AS viet,
    ARRAY['Thị','Văn','Đức','Minh','Ngọc','Thanh','Hữu','Quốc','Thu','Xuân'] AS viet_mid,
    ARRAY['Anh','Linh','Hoa','Lan','Mai','Nam','Hùng','Tuấn','Dũng','Hương','Trang','Hà','Hải','Long','Phương',
      'Quân','Sơn','Thảo','Trung','Vy','Yến','Khánh','Bảo','Châu','Duy','Giang','Hiếu','Hòa','Huy','Khoa','Kiên',
      'Loan','My','Nga','Nhung','Phúc','Quang','Tâm','Thắng','Vinh'] AS viet_giv
  ),
  people AS (
    SELECT i, random() AS r_sex, random() AS r_fam, random() AS r_kind, random() AS r_giv, random() AS r_giv2,
           random() AS r_age, random() AS r_phone, random() AS r_fmt, random() AS r_mail, random() AS r_misc,
           lpad(floor(random() * 1000000000)::bigint::text, 9, '0') AS digits
      FROM generate_series({{from}}, {{to}}) AS i
  ),
  named AS (
    SELECT p.*,
           CASE WHEN p.r_sex < 0.49 THEN 'female' WHEN p.r_sex < 0.985 THEN 'male'
                WHEN p.r_sex < 0.99 THEN 'intersex' ELSE 'unknown' END AS sex,
           CASE
             WHEN {{spread}} = 1 THEN
               CASE
                 WHEN p.r_kind < 0.35 THEN l.hisp[1 + floor(p.r_fam * cardinality(l.hisp))::int] || ' '
                                           || l.hisp[1 + floor(p.r_misc * cardinality(l.hisp))::int]
                 WHEN p.r_kind < 0.55 THEN l.particle[1 + floor(p.r_misc * cardinality(l.particle))::int] || ' '
                                           || l.dutch[1 + floor(p.r_fam * cardinality(l.dutch))::int]
                 -- Nguyễn for about two in five, as in Vietnam.
                 WHEN p.r_kind < 0.75 THEN l.viet[1 + floor(power(p.r_fam, 2.2) * cardinality(l.viet))::int]
                 ELSE l.syl_a[1 + floor(p.r_fam * cardinality(l.syl_a))::int]
                      || l.syl_m[1 + floor(p.r_giv2 * cardinality(l.syl_m))::int]
                      || l.syl_b[1 + floor(p.r_misc * cardinality(l.syl_b))::int]
               END
             -- Most people carry one of the common surnames, a few very common.
             WHEN p.r_kind < 0.55 THEN l.fam[1 + floor(power(p.r_fam, 1.5) * cardinality(l.fam))::int]
             -- The long tail: made-up but pronounceable surnames, two or three syllables.
             WHEN p.r_kind < 0.82 THEN l.syl_a[1 + floor(p.r_fam * cardinality(l.syl_a))::int]
                                       || l.syl_b[1 + floor(p.r_misc * cardinality(l.syl_b))::int]
             WHEN p.r_kind < 0.97 THEN l.syl_a[1 + floor(p.r_fam * cardinality(l.syl_a))::int]
                                       || l.syl_m[1 + floor(p.r_giv2 * cardinality(l.syl_m))::int]
                                       || l.syl_b[1 + floor(p.r_misc * cardinality(l.syl_b))::int]
             -- Double-barrelled.
             ELSE l.fam[1 + floor(p.r_fam * cardinality(l.fam))::int] || '-'
                  || l.fam[1 + floor(p.r_misc * cardinality(l.fam))::int]
           END AS family_name,
           CASE
             WHEN {{spread}} = 1 AND p.r_kind < 0.35 THEN
               l.hisp_giv[1 + floor(p.r_giv * cardinality(l.hisp_giv))::int]
               || CASE WHEN p.r_giv2 < 0.3 THEN ' ' || l.hisp_giv[1 + floor(p.r_misc * cardinality(l.hisp_giv))::int] ELSE '' END
             WHEN {{spread}} = 1 AND p.r_kind < 0.55 THEN
               l.dutch_giv[1 + floor(p.r_giv * cardinality(l.dutch_giv))::int]
               || CASE WHEN p.r_giv2 < 0.2 THEN ' ' || l.dutch_giv[1 + floor(p.r_misc * cardinality(l.dutch_giv))::int] ELSE '' END
             WHEN {{spread}} = 1 AND p.r_kind < 0.75 THEN
               l.viet_mid[1 + floor(p.r_giv2 * cardinality(l.viet_mid))::int] || ' '
               || l.viet_giv[1 + floor(p.r_giv * cardinality(l.viet_giv))::int]
             WHEN {{spread}} = 1 THEN
               CASE WHEN p.r_sex < 0.5 THEN l.fem[1 + floor(p.r_giv * cardinality(l.fem))::int]
                    ELSE l.mal[1 + floor(p.r_giv * cardinality(l.mal))::int] END
           ELSE CASE WHEN p.r_sex < 0.49 OR (p.r_sex >= 0.985 AND p.r_giv < 0.5)
                THEN l.fem[1 + floor(power(p.r_giv, 1.5) * cardinality(l.fem))::int]
                     || CASE WHEN p.r_giv2 < 0.25 THEN ' ' || l.fem[1 + floor(p.r_misc * cardinality(l.fem))::int] ELSE '' END
                ELSE l.mal[1 + floor(power(p.r_giv, 1.5) * cardinality(l.mal))::int]
                     || CASE WHEN p.r_giv2 < 0.25 THEN ' ' || l.mal[1 + floor(p.r_misc * cardinality(l.mal))::int] ELSE '' END
           END END AS given_names
      FROM people p CROSS JOIN lists l
  )
INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, phone, email, address_line1, city,
                             postcode, insurer, insurance_number, created_at, created_by, updated_by)
SELECT n.family_name,
       n.given_names,
       -- Newborns to centenarians, more adults than children.
       current_date - 1 - floor(power(n.r_age, 0.9) * 100 * 365.25)::int,
       n.sex,
       CASE
         WHEN n.r_phone < 0.07 THEN NULL
         WHEN n.r_fmt < 0.35 THEN '07' || substr(n.digits, 1, 3) || ' ' || substr(n.digits, 4, 6)
         WHEN n.r_fmt < 0.55 THEN '+44 7' || substr(n.digits, 1, 3) || ' ' || substr(n.digits, 4, 6)
         WHEN n.r_fmt < 0.75 THEN '(0' || substr(n.digits, 1, 2) || ') ' || substr(n.digits, 3, 4) || ' ' || substr(n.digits, 7, 3)
         WHEN n.r_fmt < 0.90 THEN substr(n.digits, 1, 3) || '-' || substr(n.digits, 4, 3) || '-' || substr(n.digits, 7, 3) || (n.i % 10)::text
         ELSE '+33 6 ' || substr(n.digits, 1, 2) || ' ' || substr(n.digits, 3, 2) || ' ' || substr(n.digits, 5, 2) || ' ' || substr(n.digits, 7, 2)
       END,
       CASE WHEN n.r_mail < 0.65 THEN
         pg_catalog.regexp_replace(clinic.fold(split_part(n.given_names, ' ', 1)), '[^a-z0-9]', '', 'g')
         || (ARRAY['.', '_', ''])[1 + (n.i % 3)]
         || pg_catalog.regexp_replace(clinic.fold(n.family_name), '[^a-z0-9]', '', 'g')
         || CASE WHEN n.r_misc < 0.5 THEN (n.i % 1000)::text ELSE '' END
         || '@' || (ARRAY['example.com', 'example.org', 'example.net', 'mail.test', 'post.test'])[1 + (n.i % 5)]
       END,
       (1 + n.i % 300)::text || ' ' || (ARRAY['High Street','Station Road','Church Lane','Mill Road','Park Avenue',
         'Victoria Road','Green Lane','Queens Road','Kings Way','Bridge Street'])[1 + (n.i % 10)],
       (ARRAY['Springfield','Riverside','Fairview','Kingsbridge','Millbrook','Ashford','Oakham','Westbury'])[1 + (n.i % 8)],
       upper(substr(md5(n.i::text), 1, 2)) || (1 + n.i % 9)::text || ' ' || (n.i % 10)::text || upper(substr(md5(n.digits), 1, 2)),
       CASE WHEN n.r_misc < 0.8 THEN (ARRAY['Acme Health','Blue Shield Mutual','CareFirst','National Health Plan'])[1 + (n.i % 4)] END,
       CASE WHEN n.r_misc < 0.8 THEN 'INS-' || n.digits END,
       -- Registered over the last 25 years in the order of their numbers, as a clinic fills up,
       -- so the new-patients report has months to count.
       now() - make_interval(secs => ({{patients}} - n.i + n.r_misc) * (25 * 365.25 * 86400) / {{patients}}),
       {{desk}}, {{desk}}
  FROM named n;

-- step: appointments
-- Each doctor's calendar is a run of distinct 15-minute weekday slots from 08:00 to 18:00 (40 a day),
-- counted backwards from {{weeks_ahead}} weeks ahead; appointment j of a doctor takes slot
-- floor(j * 10 / 9), so about nine slots in ten are booked and no two live appointments of one doctor
-- ever overlap. Rows {{from}}..{{to}} of the whole run are made here; row i belongs to doctor
-- i % {{doctors}}.
WITH
  docs AS (SELECT array_agg(id ORDER BY id) AS ids FROM clinic.staff WHERE job = 'doctor' AND login LIKE 'bench\_%'),
  span AS (SELECT min(id) AS lo, max(id) - min(id) + 1 AS n FROM clinic.patients),
  anchor AS (SELECT (date_trunc('week', current_date + 7 * {{weeks_ahead}}) + interval '8 hours') AS monday),
  rows AS (
    SELECT i, i % {{doctors}} AS d, floor((i / {{doctors}}) * 10 / 9)::bigint AS slot, random() AS fate, random() AS who
      FROM generate_series({{from}}, {{to}}) AS i
  ),
  timed AS (
    SELECT r.*,
           a.monday - (r.slot / 200) * interval '7 days' + ((r.slot % 200) / 40) * interval '1 day'
             + (r.slot % 40) * interval '15 minutes' AS starts_at
      FROM rows r CROSS JOIN anchor a
  )
INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason,
                                 status_changed_at, status_changed_by, booked_at, booked_by, updated_by)
SELECT s.lo + floor(t.who * s.n)::bigint,
       d.ids[1 + t.d],
       t.starts_at,
       t.starts_at + interval '15 minutes',
       (ARRAY['Check-up','Follow-up','Blood pressure review','Vaccination','Cough and fever','Back pain',
              'Diabetes review','Medication review','Skin rash','Headaches','Sports injury','Test results'])[1 + t.i % 12],
       st.status,
       CASE WHEN st.status = 'cancelled' THEN 'Patient called to cancel' END,
       LEAST(now(), t.starts_at), {{desk}},
       t.starts_at - (1 + t.i % 30) * interval '1 day', {{desk}}, {{desk}}
  FROM timed t
  CROSS JOIN docs d
  CROSS JOIN span s
  CROSS JOIN LATERAL (
    SELECT CASE
      WHEN t.fate < 0.07 THEN 'cancelled'
      WHEN t.starts_at > now() THEN 'scheduled'
      WHEN t.fate < 0.12 THEN 'no_show'
      ELSE 'completed'
    END AS status
  ) st;

-- step: schedule
-- The bench doctors' working hours: weekdays 08:00-18:00, the stretch their generated slots fill,
-- so the utilisation report has hours to set the bookings against. No leave or blocked time: the
-- generated calendars are booked through every weekday.
INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends, updated_by)
SELECT s.id, w, time '08:00', time '18:00', {{desk}}
  FROM clinic.staff s CROSS JOIN generate_series(1, 5) AS w
 WHERE s.job = 'doctor' AND s.login LIKE 'bench\_%';

-- step: history
-- Each appointment's status history as the app's trigger writes it (the load had it off): the
-- booking, then for a completed one the check-in (15 minutes early to 10 late; one in thirty-three
-- checked in by mistake first and taken back), the start (a wait skewed short: a median near 11
-- minutes, one in ten over 35) and the end 10-20 minutes later; a no-show or a cancellation at
-- the time the appointment says. Appointments {{from}}..{{to}} by id. The draws are hashes of the
-- id, so a second run draws the same.
WITH a AS (
  SELECT x.id, x.doctor_id, x.starts_at, x.status, x.cancel_reason, x.status_changed_at, x.booked_at,
         (hashint8(x.id) & 1048575) / 1048576.0 AS u1,
         (hashint8(-x.id) & 1048575) / 1048576.0 AS u2,
         (hashint8(x.id + 4294967296) & 1048575) / 1048576.0 AS u3,
         (hashint8(x.id - 4294967296) & 1048575) / 1048576.0 AS u4
    FROM clinic.appointments x
   WHERE x.id BETWEEN {{from}} AND {{to}}),
t AS (
  SELECT a.*, a.starts_at + make_interval(secs => (a.u1 * 25 - 15) * 60) AS ci FROM a),
s AS (
  SELECT t.*, GREATEST(t.ci, t.starts_at) + make_interval(secs => power(t.u2, 2) * 45 * 60) AS st FROM t)
INSERT INTO clinic.appointment_status_history (appointment_id, from_status, to_status, reason, changed_at, changed_by)
SELECT s.id, h.from_status, h.to_status, h.reason, h.at, h.by
  FROM s CROSS JOIN LATERAL (VALUES
    (0, NULL, 'scheduled', NULL, s.booked_at, {{desk}}::bigint),
    (1, 'scheduled', 'checked_in', NULL, s.ci - interval '20 minutes', {{desk}}),
    (2, 'checked_in', 'scheduled', 'Checked in the wrong patient', s.ci - interval '19 minutes', {{desk}}),
    (3, 'scheduled', 'checked_in', NULL, s.ci, {{desk}}),
    (4, 'checked_in', 'in_progress', NULL, s.st, s.doctor_id),
    (5, 'in_progress', 'completed', NULL, s.st + make_interval(secs => (10 + s.u3 * 10) * 60), s.doctor_id),
    (6, 'scheduled', s.status, s.cancel_reason, s.status_changed_at, {{desk}})
  ) AS h (k, from_status, to_status, reason, at, by)
 WHERE h.k = 0
    OR (s.status = 'completed' AND h.k IN (3, 4, 5))
    OR (s.status = 'completed' AND h.k IN (1, 2) AND s.u4 < 0.03)
    OR (s.status IN ('no_show', 'cancelled') AND h.k = 6)
 ORDER BY s.id, h.k;
